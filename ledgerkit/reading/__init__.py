"""Reading: a workbook file into grids of cells, and grids into a Ledger (header, rows, sections, measures)."""
