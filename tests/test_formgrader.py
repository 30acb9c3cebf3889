"""formgrader still works on a course labgrade graded, seen in a real browser.

The real autograder grades two students of lab 1 (one with a wrong answer) and a review decision sets
points on one task; ``jupyter lab`` then runs in the course folder as staff start it, and headless
Chromium logs in with the token, opens Manage Submissions and one student's submission. What the pages
show is compared with nbgrader's gradebook, read through nbgrader.api.
"""

import re
import shutil

import pytest
from autograde_fixtures import LAB, WRONG_ARRHENIUS, answered, enrol, graded_once, make_course, submit
from formgrader_browser import BrowserMissing, JupyterLab, headless_chromium
from nbgrader.api import Gradebook
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from grading.review import decide
from grading.settings import load_course

STUDENTS = {"ana": ("Ana", "Answers"), "wu": ("Wu", "Wrong")}
REVIEWED = ("wu", "test_arrhenius", "1.5")  # student, task, points set on review
WAIT_SECONDS = 30


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """The graded course, copied for this module's own server, with the review decision made."""
    def submit_all(folder):
        settings = make_course(folder)
        enrol(settings, STUDENTS)
        submit(settings, "ana", answered(settings))
        submit(settings, "wu", answered(settings, {"arrhenius": WRONG_ARRHENIUS}))
        return settings

    graded = graded_once(tmp_path_factory, "formgrader-course", submit_all)[0]
    folder = tmp_path_factory.mktemp("formgrader") / "course"
    shutil.copytree(graded.course_dir, folder)
    settings = load_course(folder)
    student, task, points = REVIEWED
    decide(settings, LAB, student, "set", "the sign convention was ambiguous", by="tester", task=task, points=points)
    return settings


@pytest.fixture(scope="module")
def formgrader(course, tmp_path_factory):
    server = JupyterLab.start(course.course_dir, tmp_path_factory.mktemp("jupyter"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser(formgrader, tmp_path_factory):
    """Chromium logged in to the server with its token on Jupyter's login page. (A token in a formgrader
    URL itself logs in only that page: nbgrader scopes the cookie to its path, and the page's own
    requests to formgrader's API are then sent to the login page.)"""
    try:
        driver = headless_chromium(tmp_path_factory.mktemp("chromium-profile"))
    except BrowserMissing as missing:
        pytest.fail(str(missing), pytrace=False)
    try:
        driver.get(f"{formgrader.url}/login?next=/formgrader")
        wait(driver).until(ec.presence_of_element_located((By.ID, "password_input"))).send_keys(formgrader.token)
        driver.find_element(By.ID, "login_submit").click()
        wait(driver).until(ec.url_contains("/formgrader/manage_assignments"))
        yield driver
    finally:
        driver.quit()


def wait(driver) -> WebDriverWait:
    return WebDriverWait(driver, WAIT_SECONDS)


def points_shown(text: str) -> tuple[float, float]:
    """'9.5 / 10' as formgrader writes a score out of a maximum."""
    found = re.fullmatch(r"\s*([\d.]+)\s*/\s*([\d.]+)\s*", text)
    assert found, f"not a score: {text!r}"
    return float(found[1]), float(found[2])


def manage_submissions(driver, url: str) -> dict[str, object]:
    """Open Manage Submissions for the lab; its table row by student id, once every student's is there."""
    driver.get(f"{url}/formgrader/manage_submissions/{LAB}")

    def rows(driver):
        by_student = {row.find_element(By.CSS_SELECTOR, "td.student-id").text: row
                      for row in driver.find_elements(By.CSS_SELECTOR, "tr:has(td.student-id)")}
        return by_student if set(STUDENTS) <= set(by_student) else False

    return wait(driver).until(rows)


def test_manage_submissions_lists_each_student_with_the_score_in_the_gradebook(course, formgrader, browser):
    rows = manage_submissions(browser, formgrader.url)
    with Gradebook(course.gradebook_url) as gb:
        expected = {s.student.id: (s.score, s.max_score) for s in gb.find_assignment(LAB).submissions}
    shown = {student: points_shown(row.find_element(By.CSS_SELECTOR, "td.score").text) for student, row in rows.items()}
    assert shown.keys() == expected.keys()
    for student, score_and_maximum in expected.items():
        assert shown[student] == pytest.approx(score_and_maximum, abs=0.005), student  # shown to two decimals
    for student, (first, last) in STUDENTS.items():
        assert rows[student].find_element(By.CSS_SELECTOR, "td.student-name").text == f"{last}, {first}"
        assert "graded" in rows[student].find_element(By.CSS_SELECTOR, "td.status").text


def test_a_submission_shows_each_task_with_the_autograder_score_and_the_points_set_on_review(course, formgrader, browser, tmp_path):
    student, task, points = REVIEWED
    first, last = STUDENTS[student]
    rows = manage_submissions(browser, formgrader.url)
    rows[student].find_element(By.LINK_TEXT, f"{last}, {first}").click()
    wait(browser).until(ec.element_to_be_clickable((By.LINK_TEXT, LAB))).click()

    def score_inputs_filled(driver):  # formgrader's script fills them from its grades API once loaded
        inputs = driver.find_elements(By.CSS_SELECTOR, "input.score")
        return inputs if inputs and all(box.get_attribute("placeholder") for box in inputs) else False

    inputs = {box.get_attribute("id"): box for box in wait(browser).until(score_inputs_filled)}
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", inputs[task])
    browser.save_screenshot(str(tmp_path / "formgrader-submission.png"))

    with Gradebook(course.gradebook_url) as gb:
        grades = {grade.name: (grade.auto_score, grade.manual_score, grade.max_score)
                  for grade in gb.find_submission_notebook(LAB, LAB, student).grades}
    labels = {code.text for code in browser.find_elements(By.CSS_SELECTOR, ".nbgrader-label code")}
    assert labels == set(grades) == set(inputs)
    assert f"{last}, {first}" in browser.find_element(By.CSS_SELECTOR, ".name-shown").get_attribute("textContent")
    for name, (autograded, set_on_review, maximum) in grades.items():
        box = inputs[name]
        assert float(box.get_attribute("placeholder")) == pytest.approx(autograded), name
        assert (float(box.get_attribute("value")) if box.get_attribute("value") else None) == set_on_review, name
        beside = box.find_element(By.XPATH, "..").text  # "/ 2.0" after the input
        assert float(beside.strip(" /")) == pytest.approx(maximum), name
    assert grades[task][:2] == (0, float(points))
    assert any(autograded > 0 for autograded, _, _ in grades.values())
