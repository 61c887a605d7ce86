"""Support for every stage: atomic writes, speed (GC pauses, preloading), a console that never raises."""
