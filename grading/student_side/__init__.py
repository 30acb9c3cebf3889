"""What runs inside the sandbox, as the student's user: untrusted by everything outside it.

``launcher`` starts and cleans up the student's kernel; ``server`` answers the judge's questions about
the kernel's namespace, in plain data only (codec.py). Nothing here forms a verdict.
"""
