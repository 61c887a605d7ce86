"""The command line: argument parsing, usage sentences, and all printing."""
