"""Settings of the Machine Learning for Materials computer labs: the one place they live.

nbgrader reads its own sections (CourseDirectory, ClearSolutions, ...); `labgrade` reads `c.Course`
and checks it before every command. Times are local to `c.Course.timezone`.
"""

c = get_config()  # noqa: F821 (traitlets provides get_config when it runs this file)

# --- nbgrader ---------------------------------------------------------------------------------
c.CourseDirectory.course_id = "ml-for-materials"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ExecutePreprocessor.timeout = 60

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
