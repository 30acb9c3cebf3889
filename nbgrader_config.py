"""Settings of the Machine Learning for Materials computer labs: the one place they live.

nbgrader reads its own sections (CourseDirectory, ClearSolutions, ...); `labgrade` reads `c.Course`
and checks it before every command. Times are local to `c.Course.timezone`.
"""

c = get_config()  # noqa: F821 (traitlets provides get_config when it runs this file)

# --- nbgrader ---------------------------------------------------------------------------------
c.CourseDirectory.course_id = "ml-for-materials"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ExecutePreprocessor.timeout = 60

# The gradebook is SQLite, gradebook.db in the course folder, unless db_url names a database server.
# Use PostgreSQL when several staff grade in formgrader at once, or when the course folder is on a
# network file system (SQLite corrupts there: nbgrader #1854). Percent-encode @ : / in a password
# (%40 %3A %2F), or leave it out of the URL and put it in ~/.pgpass; see README.md, "The gradebook on PostgreSQL".
# c.CourseDirectory.db_url = "postgresql://labgrade@db.example.ac.uk:5432/ml_for_materials?connect_timeout=10"

# --- the course -------------------------------------------------------------------------------
c.Course.timezone = "Europe/London"
c.Course.deadline = "15:45"

# One lab session a week, Thursdays of the 2027 spring term.
c.Course.lab_dates = {
    "lab1": "2027-01-14",
    "lab2": "2027-01-21",
    "lab3": "2027-01-28",
    "lab4": "2027-02-04",
    "lab5": "2027-02-11",
    "lab6": "2027-02-18",
    "lab7": "2027-02-25",
    "lab8": "2027-03-04",
}

# Percent of the module mark: 8 labs x 2 + 84 = 100.
c.Course.lab_weight = 2
c.Course.assignment_weight = 84

# A late lab scores zero ("zero"), or counts in full but is listed as late ("accept").
c.Course.late_policy = "zero"
c.Course.grace_minutes = 0

# Grade Center column names (without the "[Total Pts: ...] |id" part Blackboard adds).
c.Course.blackboard_columns = {
    **{f"lab{n}": f"Lab {n}" for n in range(1, 9)},
    "labs_total": "Computer Labs",
    "assignment": "Research Assignment",
    "module": "Module Mark",
}
