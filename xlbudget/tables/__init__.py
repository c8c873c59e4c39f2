"""Recognition of the standard tables: specs (data) and the code that applies them to grids."""
