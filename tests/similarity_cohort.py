"""Lab 7 answered by three students working alone, each in their own style, and what copiers do to them.

The answers are correct and were written independently of the instructor's solution, the way different
people solve the same task: the similarity tests must keep every pair of them apart, and find a copy
however its variables are renamed and its functions reordered.
"""

from __future__ import annotations

import re

LAB = "lab7"

LOOPS_AND_NAMES = {  # spells everything out, with loops and intermediate variables
    "gradient": '''def mse_gradient(X, y, w):
    """Gradient of the mean squared error of the linear model X w with respect to w."""
    n = X.shape[0]
    predictions = X.dot(w)
    errors = predictions - y
    grad = (2 / n) * X.T.dot(errors)
    return grad''',
    "descent": '''def gradient_descent(gradient, w0, learning_rate, n_steps):
    """Weights after n_steps of plain gradient descent from w0."""
    weights = np.copy(np.asarray(w0, dtype=float))
    step = 0
    while step < n_steps:
        weights -= learning_rate * gradient(weights)
        step += 1
    return weights''',
    "closed_form": '''ones = np.ones(elements.shape[0])
log_E = np.log(elements["Ecoh"].values)
log_V = np.log(elements["GSvolume_pa"].values)
X_design = np.vstack([ones, log_E, log_V]).T
y_lnB = np.log(elements["BulkModulus"].values)
w_closed, residuals, rank, singular_values = np.linalg.lstsq(X_design, y_lnB, rcond=None)
stiffness_law = "E/V"
print("w =", np.round(w_closed, 3))''',
    "backprop": '''def backprop(params, X, y):
    """Gradients of the network's mean squared error with respect to every parameter."""
    W1, b1, w2, b2 = params["W1"], params["b1"], params["w2"], params["b2"]
    n = len(y)
    z = X @ W1 + b1
    a = np.tanh(z)
    out = a @ w2 + b2
    dout = 2 * (out - y) / n
    grad_w2 = a.T @ dout
    grad_b2 = np.sum(dout)
    da = np.outer(dout, w2)
    dz = da * (1 - np.tanh(z) ** 2)
    grad_W1 = X.T @ dz
    grad_b1 = np.sum(dz, axis=0)
    return {"W1": grad_W1, "b1": grad_b1, "w2": grad_w2, "b2": float(grad_b2)}''',
    "gradient_check": '''def numerical_gradient(f, w, h=1e-5):
    """Central-difference gradient of the scalar function f at the array w."""
    w = np.asarray(w, dtype=float)
    flat = w.ravel()
    result = np.zeros(flat.size)
    for k in range(flat.size):
        step = np.zeros(flat.size)
        step[k] = h
        up = f((flat + step).reshape(w.shape))
        down = f((flat - step).reshape(w.shape))
        result[k] = (up - down) / (2 * h)
    return result.reshape(w.shape)


def relative_error(a, b):
    """Relative difference of two arrays, |a - b| / (|a| + |b|) in the Euclidean norm."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    top = np.sqrt(np.sum((a - b) ** 2))
    bottom = np.sqrt(np.sum(a ** 2)) + np.sqrt(np.sum(b ** 2))
    if bottom == 0:
        return 0.0
    return float(top / bottom)''',
    "searches": '''searches = dict()
for key in MODELS:
    estimator, param_grid = MODELS[key]
    pipe = Pipeline(steps=[("scale", StandardScaler()), ("model", estimator)])
    search = GridSearchCV(pipe, param_grid=param_grid, cv=3, scoring="neg_mean_absolute_error")
    search.fit(X_train, y_train)
    searches[key] = search
for name, search in searches.items():
    print(f"{name:>14}: CV MAE {-search.best_score_:.3f} with {search.best_params_}")''',
    "report": '''def honest_report(searches, X_test, y_test):
    """The model chosen by cross-validation and its one test-set mean absolute error."""
    best_name = None
    best_score = -np.inf
    for name, search in searches.items():
        if search.best_score_ > best_score:
            best_name, best_score = name, search.best_score_
    predictions = searches[best_name].predict(X_test)
    return best_name, float(np.mean(np.abs(predictions - y_test)))''',
}

COMPACT = {  # short expressions, comprehensions, numpy idioms
    "gradient": '''def mse_gradient(X, y, w):
    """Gradient of the mean squared error of the linear model X w with respect to w."""
    return 2 * X.T @ (X @ w - y) / y.size''',
    "descent": '''def gradient_descent(gradient, w0, learning_rate, n_steps):
    """Weights after n_steps of plain gradient descent from w0."""
    w = np.array(w0, dtype=float, copy=True)
    for i in range(n_steps):
        g = gradient(w)
        w = w - learning_rate * g
    return w''',
    "closed_form": '''E = elements["Ecoh"].to_numpy()
V = elements["GSvolume_pa"].to_numpy()
X_design = np.c_[np.ones_like(E), np.log(E), np.log(V)]
y_lnB = np.log(elements.BulkModulus.to_numpy())
w_closed = np.linalg.lstsq(X_design, y_lnB, rcond=None)[0]
stiffness_law = "E/V"  # w1 ~ +1, w2 ~ -1
print("w =", np.round(w_closed, 3))''',
    "backprop": '''def backprop(params, X, y):
    """Gradients of the network's mean squared error with respect to every parameter."""
    h = np.tanh(X @ params["W1"] + params["b1"])
    err = h @ params["w2"] + params["b2"] - y
    g_out = 2 * err / err.shape[0]
    g_hidden = g_out[:, None] * params["w2"][None, :] * (1 - h * h)
    grads = {}
    grads["w2"] = h.T @ g_out
    grads["b2"] = float(g_out.sum())
    grads["W1"] = X.T @ g_hidden
    grads["b1"] = g_hidden.sum(0)
    return grads''',
    "gradient_check": '''def numerical_gradient(f, w, h=1e-5):
    """Central-difference gradient of the scalar function f at the array w."""
    w = np.array(w, dtype=float)
    out = np.empty_like(w)
    it = np.nditer(w, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        e = np.zeros_like(w)
        e[i] = h
        out[i] = (f(w + e) - f(w - e)) / (2 * h)
    return out


def relative_error(a, b):
    """Relative difference of two arrays, |a - b| / (|a| + |b|) in the Euclidean norm."""
    diff = np.linalg.norm(np.ravel(a) - np.ravel(b))
    scale = np.linalg.norm(np.ravel(a)) + np.linalg.norm(np.ravel(b))
    return float(diff / scale) if scale > 0 else 0.0''',
    "searches": '''searches = {
    name: GridSearchCV(Pipeline([("scale", StandardScaler()), ("model", model)]), grid, cv=3,
                       scoring="neg_mean_absolute_error").fit(X_train, y_train)
    for name, (model, grid) in MODELS.items()
}
for name, search in searches.items():
    print(f"{name:>14}: CV MAE {-search.best_score_:.3f} with {search.best_params_}")''',
    "report": '''def honest_report(searches, X_test, y_test):
    """The model chosen by cross-validation and its one test-set mean absolute error."""
    ranked = sorted(searches.items(), key=lambda item: item[1].best_score_, reverse=True)
    name, best = ranked[0]
    return name, float(mean_absolute_error(y_test, best.predict(X_test)))''',
}

STEP_BY_STEP = {  # one operation a line, descriptive names, np.dot rather than @
    "gradient": '''def mse_gradient(X, y, w):
    """Gradient of the mean squared error of the linear model X w with respect to w."""
    X = np.asarray(X, dtype=float)
    resid = np.dot(X, w) - np.asarray(y, dtype=float)
    return np.dot(X.T, resid) * (2.0 / X.shape[0])''',
    "descent": '''def gradient_descent(gradient, w0, learning_rate, n_steps):
    """Weights after n_steps of plain gradient descent from w0."""
    current = np.asarray(w0).copy().astype(float)
    for iteration in range(n_steps):
        current = current - learning_rate * np.asarray(gradient(current))
    return current''',
    "closed_form": '''n_elements = len(elements)
X_design = np.ones((n_elements, 3))
X_design[:, 1] = np.log(elements["Ecoh"])
X_design[:, 2] = np.log(elements["GSvolume_pa"])
y_lnB = np.array(np.log(elements["BulkModulus"]))
solution = np.linalg.lstsq(X_design, y_lnB, rcond=None)
w_closed = solution[0]
stiffness_law = "E/V"
print("w =", np.round(w_closed, 3))''',
    "backprop": '''def backprop(params, X, y):
    """Gradients of the network's mean squared error with respect to every parameter."""
    n_samples = X.shape[0]
    pre_activation = np.dot(X, params["W1"]) + params["b1"]
    hidden = np.tanh(pre_activation)
    prediction = np.dot(hidden, params["w2"]) + params["b2"]
    d_prediction = (prediction - y) * 2.0 / n_samples
    d_hidden = np.outer(d_prediction, params["w2"])
    d_pre = d_hidden * (1.0 - np.square(hidden))
    return {
        "W1": np.dot(X.T, d_pre),
        "b1": d_pre.sum(axis=0),
        "w2": np.dot(hidden.T, d_prediction),
        "b2": float(np.sum(d_prediction)),
    }''',
    "gradient_check": '''def numerical_gradient(f, w, h=1e-5):
    """Central-difference gradient of the scalar function f at the array w."""
    base = np.array(w, dtype=float)
    gradient = np.zeros(base.shape)
    for position in np.ndindex(base.shape):
        shifted_up = base.copy()
        shifted_down = base.copy()
        shifted_up[position] += h
        shifted_down[position] -= h
        gradient[position] = (f(shifted_up) - f(shifted_down)) / (2.0 * h)
    return gradient


def relative_error(a, b):
    """Relative difference of two arrays, |a - b| / (|a| + |b|) in the Euclidean norm."""
    a = np.array(a, dtype=float)
    b = np.array(b, dtype=float)
    norm_sum = np.linalg.norm(a) + np.linalg.norm(b)
    if norm_sum == 0.0:
        return 0.0
    return float(np.linalg.norm(a - b) / norm_sum)''',
    "searches": '''searches = {}
for model_name in MODELS:
    regressor = MODELS[model_name][0]
    grid = MODELS[model_name][1]
    steps = [("scale", StandardScaler()), ("model", regressor)]
    gs = GridSearchCV(Pipeline(steps), grid, scoring="neg_mean_absolute_error", cv=3)
    gs.fit(X_train, y_train)
    searches[model_name] = gs
for name, search in searches.items():
    print(f"{name:>14}: CV MAE {-search.best_score_:.3f} with {search.best_params_}")''',
    "report": '''def honest_report(searches, X_test, y_test):
    """The model chosen by cross-validation and its one test-set mean absolute error."""
    cv_scores = pd.Series({name: s.best_score_ for name, s in searches.items()})
    chosen = cv_scores.idxmax()
    errors = np.abs(searches[chosen].predict(X_test) - np.asarray(y_test))
    return chosen, float(errors.mean())''',
}

HONEST = {"loops": LOOPS_AND_NAMES, "compact": COMPACT, "steps": STEP_BY_STEP}


def renamed(code: str, names: dict[str, str]) -> str:
    """The code with whole-word names replaced, as a copier disguises a copy."""
    return re.sub(r'"[^"\n]*"|\b\w+\b', lambda word: names.get(word.group(), word.group()), code)


def functions_swapped(cell: str) -> str:
    """A cell of two top-level functions with their order reversed."""
    first, second = re.split(r"\n\n\n(?=def )", cell)
    return f"{second}\n\n\n{first}"


def disguised_copy(answers: dict[str, str]) -> dict[str, str]:
    """What a copier hands in: every local name changed, comments added, two functions reordered."""
    names = {"h": "act", "err": "residual_vec", "g_out": "delta2", "g_hidden": "delta1", "grads": "result",
             "out": "deriv", "it": "iterator", "e": "bump", "diff": "numerator", "scale": "total",
             "ranked": "ordered", "best": "winner", "E": "energy", "V": "volume", "g": "grad_now", "i": "j"}
    copy = {task: renamed(code, names) for task, code in answers.items()}
    copy["gradient_check"] = functions_swapped(copy["gradient_check"])
    copy["descent"] = copy["descent"].replace("    return w", "    # done\n    return w")
    return copy
