"""The code of the cells every lab shares, one master copy each: the set-up cell that opens a lab and
the check cell that closes it. Each module is the cell itself (``labgrade release`` fills in the
lab's constants, see grading/lab_cells.py); standard library only, as the cells run wherever
students work, and in the sandbox when marked, where they do nothing."""
