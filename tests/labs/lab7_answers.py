"""Plausible mistakes in lab 7 (a model from scratch), one or more per graded test."""

from labharness import Answer, WrongAnswer

BACKPROP = (
    "def backprop(params, X, y):\n"
    "    hidden = np.tanh(X @ params['W1'] + params['b1'])\n"
    "    r = {scale} * (hidden @ params['w2'] + params['b2'] - y)\n"
    "    delta = np.outer(r, params['w2']){derivative}\n"
    "    return {{'W1': X.T @ delta, 'b1': delta.sum(axis=0), 'w2': hidden.T @ r, 'b2': float(r.sum())}}"
)

NUMERICAL_GRADIENT = (
    "def numerical_gradient(f, w, h={h}):\n"
    "    w = np.array(w, dtype=float)\n"
    "    grad = np.zeros_like(w)\n"
    "    for index in np.ndindex(w.shape):\n"
    "        f_0 = f(w)\n"
    "        w[index] += h\n"
    "        grad[index] = (f(w) - f_0) / h\n"
    "        w[index] -= h\n"
    "    return grad\n\n"
    "def relative_error(a, b):\n"
    "    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)\n"
    "    denominator = np.linalg.norm(a) + np.linalg.norm(b)\n"
    "    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)"
)

SEARCHES = (
    "scaler = StandardScaler().fit(X_elements)\n"
    "searches = {}\n"
    "for name, (model, grid) in MODELS.items():\n"
    "    pipeline = Pipeline([('model', model)])\n"
    "    searches[name] = GridSearchCV(pipeline, grid, cv=3, scoring='neg_mean_absolute_error')\n"
    "    searches[name].fit(scaler.transform(X_train), y_train)"
)

CLOSED_FORM = (
    "X_design = np.column_stack([np.ones(len(elements)), np.log(elements['Ecoh']), np.log(elements['GSvolume_pa'])])\n"
    "y_lnB = {target}\n"
    "w_closed = np.linalg.lstsq(X_design, y_lnB, rcond=None)[0]\n"
    "stiffness_law = {law!r}"
)

CORRECT_ANSWERS: list[Answer] = []  # correct alternatives, written differently from the solution

WRONG_ANSWERS = [
    WrongAnswer(
        "gradient",
        "def mse_gradient(X, y, w):\n    return 2 * X.T @ (X @ w - y)",
        "test_gradient",
        "gradient of the summed, not the mean, squared error (1/n missing)",
    ),
    WrongAnswer(
        "gradient",
        "def mse_gradient(X, y, w):\n    return X.T @ (X @ w - y) / len(y)",
        "test_gradient",
        "factor 2 from the square forgotten",
    ),
    WrongAnswer(
        "gradient",
        "def mse_gradient(X, y, w):\n    return 2 / len(y) * X.T @ (y - X @ w)",
        "test_gradient",
        "residual the wrong way round: the gradient points uphill-down",
    ),
    WrongAnswer(
        "descent",
        "def gradient_descent(gradient, w0, learning_rate, n_steps):\n"
        "    w = np.array(w0, dtype=float)\n"
        "    for _ in range(n_steps):\n"
        "        w = w + learning_rate * gradient(w)\n"
        "    return w",
        "test_descent",
        "wrong sign of the update: gradient ascent",
    ),
    WrongAnswer(
        "descent",
        "def gradient_descent(gradient, w0, learning_rate, n_steps):\n"
        "    w = w0\n"
        "    for _ in range(n_steps):\n"
        "        w -= learning_rate * gradient(w)\n"
        "    return w",
        "test_descent",
        "updates the caller's w0 in place",
    ),
    WrongAnswer(
        "closed_form",
        CLOSED_FORM.format(target="elements['BulkModulus'].to_numpy()", law="E/V"),
        "test_closed_form",
        "fitted B instead of ln B: not a power law",
    ),
    WrongAnswer(
        "closed_form",
        CLOSED_FORM.format(target="np.log(elements['BulkModulus'].to_numpy())", law="E*V"),
        "test_closed_form",
        "sign of the volume exponent misread",
    ),
    WrongAnswer(
        "closed_form",
        "X_design = np.column_stack([np.log(elements['Ecoh']), np.log(elements['GSvolume_pa'])])\n"
        "y_lnB = np.log(elements['BulkModulus'].to_numpy())\n"
        "w_closed = np.linalg.lstsq(X_design, y_lnB, rcond=None)[0]\n"
        "stiffness_law = 'E/V'",
        "test_closed_form",
        "no column of ones: the fit is forced through the origin",
    ),
    WrongAnswer(
        "backprop",
        BACKPROP.format(scale="2.0 / len(y)", derivative=""),
        "test_backprop",
        "derivative of tanh left out of the chain rule",
    ),
    WrongAnswer(
        "backprop",
        BACKPROP.format(scale="2.0", derivative=" * (1.0 - hidden**2)"),
        "test_backprop",
        "1/n of the mean squared error missing",
    ),
    WrongAnswer(
        "gradient_check",
        NUMERICAL_GRADIENT.format(h="1e-2"),
        "test_gradient_check",
        "forward difference with a huge step",
    ),
    WrongAnswer(
        "gradient_check",
        NUMERICAL_GRADIENT.format(h="1e-5"),
        "test_gradient_check",
        "forward difference: error of order h, not h^2",
    ),
    WrongAnswer(
        "searches",
        SEARCHES,
        "test_searches",
        "scaler fitted outside the pipeline on all data: leakage, and raw features no longer accepted",
    ),
    WrongAnswer(
        "searches",
        "searches = {}\n"
        "for name, (model, grid) in MODELS.items():\n"
        "    pipeline = Pipeline([('scale', StandardScaler()), ('model', model)])\n"
        "    searches[name] = GridSearchCV(pipeline, grid, cv=3, scoring='neg_mean_absolute_error')\n"
        "    searches[name].fit(X_elements, y_log10B)",
        "test_searches",
        "cross-validated on all data, test set included",
    ),
    WrongAnswer(
        "report",
        "def honest_report(searches, X_test, y_test):\n"
        "    name = max(searches, key=lambda key: searches[key].best_score_)\n"
        "    return name, -searches[name].best_score_",
        "test_report",
        "best cross-validation score reported as the test score",
    ),
    WrongAnswer(
        "report",
        "def honest_report(searches, X_test, y_test):\n"
        "    errors = {key: mean_absolute_error(y_test, s.predict(X_test)) for key, s in searches.items()}\n"
        "    name = min(errors, key=errors.get)\n"
        "    return name, errors[name]",
        "test_report",
        "model chosen by its test score",
    ),
    WrongAnswer(
        "report",
        "def honest_report(searches, X_test, y_test):\n"
        "    name = min(searches, key=lambda key: searches[key].best_score_)\n"
        "    return name, mean_absolute_error(y_test, searches[name].predict(X_test))",
        "test_report",
        "negated MAE read as an error: the worst model chosen",
    ),
]
