"""Lab 7 (a model from scratch): correct alternatives and plausible mistakes, several per graded test."""

from labharness import Answer, WrongAnswer

BACKPROP = (
    "def backprop(params, X, y):\n"
    "    hidden = np.tanh(X @ params['W1'] + params['b1'])\n"
    "    r = {scale} * (hidden @ params['w2'] + params['b2'] - y)\n"
    "    delta = np.outer(r, params['w2']){derivative}\n"
    "    return {{'W1': X.T @ delta, 'b1': delta.sum(axis=0), 'w2': hidden.T @ r, 'b2': float({b2})}}"
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
)

RELATIVE_ERROR = (
    "def relative_error(a, b):\n"
    "    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)\n"
    "    denominator = np.linalg.norm(a) + np.linalg.norm(b)\n"
    "    return 0.0 if denominator == 0 else float(np.linalg.norm(a - b) / denominator)"
)

SEARCH_LOOP = (
    "searches = {{}}\n"
    "for name, (model, grid) in MODELS.items():\n"
    "    pipeline = Pipeline([('scale', StandardScaler()), ('model', model)])\n"
    "    searches[name] = GridSearchCV(pipeline, grid, {options})\n"
    "    searches[name].fit({data})"
)

CLOSED_FORM = (
    "X_design = np.column_stack([np.ones(len(elements)), np.log(elements['Ecoh']), np.log(elements['GSvolume_pa'])])\n"
    "y_lnB = {target}\n"
    "w_closed = np.linalg.lstsq(X_design, y_lnB, rcond=None)[0]\n"
    "stiffness_law = {law!r}"
)

CORRECT_ANSWERS = [
    Answer(
        "gradient",
        "def mse_gradient(X, y, w):\n"
        "    n, p = X.shape\n"
        "    grad = np.zeros(p)\n"
        "    for i in range(n):\n"
        "        prediction = sum(X[i, j] * w[j] for j in range(p))\n"
        "        for j in range(p):\n"
        "            grad[j] += 2 * (prediction - y[i]) * X[i, j] / n\n"
        "    return grad",
        "explicit loops over samples and weights",
    ),
    Answer(
        "gradient",
        "def mse_gradient(X, y, w):\n"
        "    errors = np.dot(X, w) - y\n"
        "    return 2 * np.mean(errors[:, None] * X, axis=0)",
        "mean over samples of 2 e_i x_i, broadcasting",
    ),
    Answer(
        "gradient",
        "def mse_gradient(X, y, w):\n"
        "    return 2 * (X.T @ X @ w - X.T @ y) / X.shape[0]",
        "normal-equation form X^T X w - X^T y",
    ),
    Answer(
        "descent",
        "def gradient_descent(gradient, w0, learning_rate, n_steps):\n"
        "    w = np.copy(w0).astype(float)\n"
        "    step = 0\n"
        "    while step < n_steps:\n"
        "        w -= learning_rate * np.asarray(gradient(w))\n"
        "        step += 1\n"
        "    return w",
        "a while loop updating a copy in place",
    ),
    Answer(
        "descent",
        "import copy\n\n"
        "def gradient_descent(gradient, w0, learning_rate, n_steps):\n"
        "    history = [copy.deepcopy(np.asarray(w0, dtype=float))]\n"
        "    for _ in range(n_steps):\n"
        "        history.append(history[-1] - learning_rate * gradient(history[-1]))\n"
        "    return history[-1]",
        "keeps every iterate in a list and returns the last",
    ),
    Answer(
        "closed_form",
        "lnE = np.log(elements.Ecoh.values)\n"
        "lnV = np.log(elements.GSvolume_pa.values)\n"
        "X_design = np.c_[np.ones_like(lnE), lnE, lnV]\n"
        "y_lnB = np.log(elements.BulkModulus.values)\n"
        "w_closed = np.linalg.solve(X_design.T @ X_design, X_design.T @ y_lnB)\n"
        "stiffness_law = 'E/V'",
        "normal equations solved directly, np.c_ and .values",
    ),
    Answer(
        "closed_form",
        "from sklearn.linear_model import LinearRegression\n"
        "logs = np.log(elements[['Ecoh', 'GSvolume_pa', 'BulkModulus']])\n"
        "X_design = np.hstack([np.ones((len(logs), 1)), logs[['Ecoh', 'GSvolume_pa']].to_numpy()])\n"
        "y_lnB = logs['BulkModulus'].to_numpy()\n"
        "fit = LinearRegression().fit(X_design[:, 1:], y_lnB)\n"
        "w_closed = np.array([fit.intercept_, *fit.coef_])\n"
        "stiffness_law = 'E/V'",
        "scikit-learn's LinearRegression with its intercept as w0",
    ),
    Answer(
        "closed_form",
        "X_design = np.vstack([np.ones(len(elements)), np.log(elements['Ecoh']), np.log(elements['GSvolume_pa'])]).T\n"
        "y_lnB = np.array(np.log(elements['BulkModulus']))\n"
        "w_closed = np.linalg.pinv(X_design) @ y_lnB\n"
        "stiffness_law = 'E/V'",
        "pseudo-inverse, columns stacked as rows and transposed",
    ),
    Answer(
        "backprop",
        "def backprop(params, X, y):\n"
        "    n = len(y)\n"
        "    grads = {'W1': np.zeros_like(params['W1']), 'b1': np.zeros_like(params['b1']),\n"
        "             'w2': np.zeros_like(params['w2']), 'b2': 0.0}\n"
        "    for x_i, y_i in zip(X, y):\n"
        "        a = x_i @ params['W1'] + params['b1']\n"
        "        h = np.tanh(a)\n"
        "        r = 2 * (h @ params['w2'] + params['b2'] - y_i) / n\n"
        "        d = r * params['w2'] / np.cosh(a) ** 2\n"
        "        grads['W1'] += np.outer(x_i, d)\n"
        "        grads['b1'] += d\n"
        "        grads['w2'] += r * h\n"
        "        grads['b2'] += r\n"
        "    return grads",
        "one sample at a time, tanh' as 1/cosh^2",
    ),
    Answer(
        "backprop",
        "def backprop(params, X, y):\n"
        "    a = np.einsum('ij,jk->ik', X, params['W1']) + params['b1']\n"
        "    H = np.tanh(a)\n"
        "    residual = H.dot(params['w2']) + params['b2'] - y\n"
        "    r = 2 * residual / residual.size\n"
        "    delta = r[:, None] * params['w2'][None, :] * (1 - np.tanh(a) ** 2)\n"
        "    return dict(W1=np.einsum('ij,ik->jk', X, delta), b1=np.sum(delta, axis=0), w2=np.einsum('ij,i->j', H, r),\n"
        "                b2=np.sum(r))",
        "einsum and broadcasting, b2 a numpy scalar",
    ),
    Answer(
        "gradient_check",
        "def numerical_gradient(f, w, h=1e-5):\n"
        "    base = np.asarray(w, dtype=float)\n"
        "    grad = np.empty(base.shape)\n"
        "    flat = grad.reshape(-1)\n"
        "    for k in range(base.size):\n"
        "        step = np.zeros(base.size)\n"
        "        step[k] = h\n"
        "        step = step.reshape(base.shape)\n"
        "        flat[k] = (f(base + step) - f(base - step)) / (2 * h)\n"
        "    return grad\n\n"
        "def relative_error(a, b):\n"
        "    a, b = np.ravel(a), np.ravel(b)\n"
        "    top = np.sqrt(np.sum((a - b) ** 2))\n"
        "    bottom = np.sqrt(np.sum(a ** 2)) + np.sqrt(np.sum(b ** 2))\n"
        "    if bottom == 0:\n"
        "        return 0.0\n"
        "    return top / bottom",
        "new shifted arrays per component (never touches w), norms written out",
    ),
    Answer(
        "gradient_check",
        "import math\n\n"
        "def numerical_gradient(f, w, h=1e-5):\n"
        "    w = np.asarray(w, dtype=float)\n"
        "    grad = np.zeros(w.shape)\n"
        "    for index in np.ndindex(*w.shape):\n"
        "        w[index] += h\n"
        "        up = f(w)\n"
        "        w[index] -= 2 * h\n"
        "        down = f(w)\n"
        "        w[index] += h\n"
        "        grad[index] = (up - down) / (2 * h)\n"
        "    return grad\n\n"
        "def relative_error(a, b):\n"
        "    norm_a, norm_b = np.linalg.norm(np.ravel(a)), np.linalg.norm(np.ravel(b))\n"
        "    if math.isclose(norm_a + norm_b, 0.0):\n"
        "        return 0\n"
        "    return np.linalg.norm(np.ravel(a) - np.ravel(b)) / (norm_a + norm_b)",
        "perturbs the caller's array and puts it back by adding and subtracting h",
    ),
    Answer(
        "searches",
        "searches = {\n"
        "    name: GridSearchCV(Pipeline(steps=[('scale', StandardScaler()), ('model', model)]), param_grid=grid,\n"
        "                       cv=KFold(n_splits=3), scoring='neg_mean_absolute_error').fit(X_train, y_train)\n"
        "    for name, (model, grid) in MODELS.items()\n"
        "}",
        "dict comprehension, KFold(3) for cv=3",
    ),
    Answer(
        "searches",
        "from sklearn.base import clone\n"
        "searches = dict()\n"
        "for name in MODELS:\n"
        "    estimator, parameters = MODELS[name]\n"
        "    search = GridSearchCV(estimator=Pipeline([('scale', StandardScaler()), ('model', clone(estimator))]),\n"
        "                          param_grid=parameters, scoring='neg_mean_absolute_error', cv=3, n_jobs=1)\n"
        "    search.fit(X_train, y_train)\n"
        "    searches[name] = search",
        "loop over keys, cloned model, keyword arguments",
    ),
    Answer(
        "report",
        "def honest_report(searches, X_test, y_test):\n"
        "    best_name, best_score = None, -np.inf\n"
        "    for name, search in searches.items():\n"
        "        if search.best_score_ > best_score:\n"
        "            best_name, best_score = name, search.best_score_\n"
        "    errors = np.abs(np.asarray(searches[best_name].predict(X_test)) - np.asarray(y_test))\n"
        "    return (best_name, errors.mean())",
        "a loop keeping the best, MAE by hand",
    ),
    Answer(
        "report",
        "def honest_report(searches, X_test, y_test):\n"
        "    ranked = sorted(searches.items(), key=lambda item: item[1].best_score_)\n"
        "    name, search = ranked[-1]\n"
        "    return name, -search.score(X_test, y_test)",
        "sorted by CV score; the search's own score (negative MAE) on the test set",
    ),
    Answer(
        "report",
        "import pandas as pd\n\n"
        "def honest_report(searches, X_test, y_test):\n"
        "    name = pd.Series({key: s.best_score_ for key, s in searches.items()}).idxmax()\n"
        "    return name, mean_absolute_error(y_test, searches[name].best_estimator_.predict(X_test))",
        "pandas idxmax, predictions of best_estimator_",
    ),
]

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
        "gradient",
        "X = np.column_stack([np.ones(len(elements)), np.log(elements['Ecoh']), np.log(elements['GSvolume_pa'])])\n"
        "y = np.log(elements['BulkModulus'].to_numpy())\n"
        "w = np.zeros(3)\n\n"
        "def mse_gradient(X, y, w):\n"
        "    return 2 * X.T @ (X @ w - y) / X.shape[1]\n\n"
        "print(mse_gradient(X, y, w))",
        "test_gradient",
        "divides by the number of weights p instead of the samples n (and leaves X, y, w of its own)",
        rebinds=True,
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
        "descent",
        "def gradient_descent(gradient, w0, learning_rate, n_steps):\n"
        "    w = np.array(w0, dtype=float)\n"
        "    for _ in range(n_steps + 1):\n"
        "        w = w - learning_rate * gradient(w)\n"
        "    return w",
        "test_descent",
        "one update too many (converged problems hide it)",
    ),
    WrongAnswer(
        "descent",
        "w0 = np.zeros(3)\n\n"
        "def gradient_descent(gradient, w0, learning_rate, n_steps):\n"
        "    g = np.asarray(gradient(w0))\n"
        "    w = np.array(w0, dtype=float)\n"
        "    for _ in range(n_steps):\n"
        "        w = w - learning_rate * g\n"
        "    return w",
        "test_descent",
        "the gradient evaluated once at w0, never again",
        rebinds=True,
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
        "X_design = np.column_stack([np.ones(len(elements)), np.log10(elements['Ecoh']), np.log10(elements['GSvolume_pa'])])\n"
        "y_lnB = np.log10(elements['BulkModulus'].to_numpy())\n"
        "w_closed = np.linalg.lstsq(X_design, y_lnB, rcond=None)[0]\n"
        "stiffness_law = 'E/V'",
        "test_closed_form",
        "log10 for the natural logarithm: the exponents survive, the design matrix and intercept do not",
    ),
    WrongAnswer(
        "closed_form",
        "elements = np.log(elements[['Ecoh', 'GSvolume_pa', 'BulkModulus']])\n"
        "X_design = np.column_stack([np.ones(len(elements)), elements['Ecoh'], elements['GSvolume_pa']])\n"
        "y_lnB = elements['BulkModulus'].to_numpy()\n"
        "w_closed = np.linalg.lstsq(X_design, y_lnB, rcond=None)[0]\n"
        "stiffness_law = 'E/V^2'",
        "test_closed_form",
        "exponent -1 read as -2; the table itself replaced by the logarithms of three columns",
        rebinds=True,
    ),
    WrongAnswer(
        "backprop",
        BACKPROP.format(scale="2.0 / len(y)", derivative="", b2="r.sum()"),
        "test_backprop",
        "derivative of tanh left out of the chain rule",
    ),
    WrongAnswer(
        "backprop",
        BACKPROP.format(scale="2.0 / len(y)", derivative=" * (1.0 - (X @ params['W1'] + params['b1'])**2)", b2="r.sum()"),
        "test_backprop",
        "1 - a^2 with the pre-activation a instead of 1 - tanh(a)^2",
    ),
    WrongAnswer(
        "backprop",
        "def backprop(params, X, y):\n"
        "    hidden = np.tanh(X @ params['W1'] + params['b1'])\n"
        "    r = 2.0 / len(y) * (hidden @ params['w2'] + params['b2'] - y)\n"
        "    delta = np.outer(r, params['w2']) * (1.0 - hidden**2)\n"
        "    grads = {'W1': X.T @ delta, 'b1': delta.sum(axis=0), 'w2': hidden.T @ r, 'b2': float(r.sum())}\n"
        "    for key in grads:\n"
        "        params[key] -= 0.05 * grads[key]  # a training step while we are at it\n"
        "    return grads",
        "test_backprop",
        "right gradients, but it also takes a descent step on the caller's params",
    ),
    WrongAnswer(
        "backprop",
        "def network_loss(params, X, y):\n"
        "    return np.sum((network_predict(params, X) - y) ** 2)\n\n"
        + BACKPROP.format(scale="2.0", derivative=" * (1.0 - hidden**2)", b2="r.sum()"),
        "test_backprop",
        "the lab's loss redefined as a sum and backprop written to match: 1/n of the mean squared error missing",
        rebinds=True,
    ),
    WrongAnswer(
        "gradient_check",
        NUMERICAL_GRADIENT.format(h="1e-2") + RELATIVE_ERROR,
        "test_gradient_check",
        "forward difference with a huge step",
    ),
    WrongAnswer(
        "gradient_check",
        NUMERICAL_GRADIENT.format(h="1e-5") + RELATIVE_ERROR,
        "test_gradient_check",
        "forward difference: error of order h, not h^2",
    ),
    WrongAnswer(
        "gradient_check",
        "def numerical_gradient(f, w, h=1e-5):\n"
        "    w = np.asarray(w, dtype=float)\n"
        "    grad = np.zeros_like(w)\n"
        "    for index in np.ndindex(w.shape):\n"
        "        w[index] += h\n"
        "        f_plus = f(w)\n"
        "        w[index] -= 2 * h\n"
        "        grad[index] = (f_plus - f(w)) / (2 * h)\n"
        "    return grad\n\n" + RELATIVE_ERROR,
        "test_gradient_check",
        "central difference on the caller's array, never put back: w is left shifted by -h",
    ),
    WrongAnswer(
        "gradient_check",
        "def numerical_gradient(f, w, h=1e-5):\n"
        "    w = np.array(w, dtype=float)\n"
        "    grad = np.zeros_like(w)\n"
        "    for index in np.ndindex(w.shape):\n"
        "        plus, minus = w.copy(), w.copy()\n"
        "        plus[index] += h\n"
        "        minus[index] -= h\n"
        "        grad[index] = (f(plus) - f(minus)) / (2 * h)\n"
        "    return grad\n\n"
        "def relative_error(a, b):\n"
        "    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)\n"
        "    with np.errstate(invalid='ignore', divide='ignore'):\n"
        "        ratios = np.abs(a - b) / (np.abs(a) + np.abs(b))\n"
        "    return float(np.nan_to_num(ratios).mean())",
        "test_gradient_check",
        "relative error component by component, averaged, instead of a ratio of norms",
        rebinds=True,
    ),
    WrongAnswer(
        "searches",
        "scaler = StandardScaler().fit(X_elements)\n"
        + SEARCH_LOOP.replace("('scale', StandardScaler()), ", "").format(
            options="cv=3, scoring='neg_mean_absolute_error'", data="scaler.transform(X_train), y_train"),
        "test_searches",
        "scaler fitted outside the pipeline on all data: leakage, and raw features no longer accepted",
    ),
    WrongAnswer(
        "searches",
        SEARCH_LOOP.format(options="cv=3, scoring='neg_mean_absolute_error'", data="X_elements, y_log10B"),
        "test_searches",
        "cross-validated on all data, test set included",
    ),
    WrongAnswer(
        "searches",
        SEARCH_LOOP.format(options="cv=3", data="X_train, y_train"),
        "test_searches",
        "scoring left at the default (R^2): another model can win, and best_score_ is no MAE",
    ),
    WrongAnswer(
        "searches",
        "X_train = StandardScaler().fit_transform(X_train)\n"
        "X_test = StandardScaler().fit_transform(X_test)\n"
        + SEARCH_LOOP.format(options="cv=3, scoring='neg_mean_absolute_error'", data="X_train, y_train"),
        "test_searches",
        "train and test sets each scaled by their own scaler before the search (X_train, X_test rebound)",
        rebinds=True,
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
        "    name = max(searches, key=lambda key: searches[key].best_score_)\n"
        "    return name, float(np.median(np.abs(searches[name].predict(X_test) - y_test)))",
        "test_report",
        "median absolute error instead of the mean",
    ),
    WrongAnswer(
        "report",
        "def honest_report(searches, X_test, y_test):\n"
        "    name = max(searches, key=lambda key: searches[key].best_score_)\n"
        "    return name, float(np.sqrt(np.mean((searches[name].predict(X_test) - y_test) ** 2)))\n\n"
        "searches = {name: search for name, search in searches.items()} if 'searches' in globals() else {}",
        "test_report",
        "root-mean-square error instead of the mean absolute error (and searches rebound)",
        rebinds=True,
    ),
]
