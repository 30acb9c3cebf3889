"""Lab 8 (closed-loop optimisation): correct alternatives and plausible mistakes, several per graded test."""

from labharness import Answer, WrongAnswer

_EI_START = (
    "def expected_improvement(mu, sigma, best, xi=0.01):\n"
    "    mu, sigma = np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float)\n"
)

_KERNEL = "ConstantKernel(1.0) * RBF(length_scale=0.1) + WhiteKernel(noise_level=0.01)"

CORRECT_ANSWERS = [
    Answer(
        "fit_gp",
        "def fit_gp(x, y):\n"
        "    model = GaussianProcessRegressor(kernel=1.0 * RBF(0.1) + WhiteKernel(0.01), random_state=0)\n"
        "    model.fit(np.asarray(x)[:, np.newaxis], np.asarray(y))\n"
        "    return model",
        "1.0 * RBF (scikit-learn makes it a ConstantKernel), x[:, np.newaxis]",
    ),
    Answer(
        "fit_gp",
        "from sklearn.gaussian_process.kernels import ConstantKernel as C, RBF as SquaredExponential\n\n"
        "def fit_gp(x, y):\n"
        "    X = np.array(x, dtype=float).reshape(len(x), 1)\n"
        "    kernel = C(constant_value=1.0) * SquaredExponential(length_scale=0.1) + WhiteKernel(noise_level=0.01)\n"
        "    gp = GaussianProcessRegressor(kernel, random_state=0, n_restarts_optimizer=3)\n"
        "    gp.fit(X, y)\n"
        "    return gp",
        "aliased kernel classes, keyword values, a few optimiser restarts",
    ),
    Answer(
        "noise",
        "def learned_noise_sd(gp):\n"
        "    return gp.kernel_.get_params()['k2__noise_level'] ** 0.5",
        "read through get_params, ** 0.5",
    ),
    Answer(
        "noise",
        "import math\n\n"
        "def learned_noise_sd(gp):\n"
        "    for part in (gp.kernel_.k1, gp.kernel_.k2):\n"
        "        if isinstance(part, WhiteKernel):\n"
        "            return math.sqrt(part.noise_level)\n"
        "    raise ValueError('no WhiteKernel in the fitted kernel')",
        "finds the WhiteKernel among the fitted kernel's parts, math.sqrt",
    ),
    Answer(
        "ei",
        "import math\n\n"
        "def expected_improvement(mu, sigma, best, xi=0.01):\n"
        "    values = []\n"
        "    for m, s in zip(np.ravel(mu), np.ravel(sigma)):\n"
        "        gain = m - best - xi\n"
        "        if s == 0:\n"
        "            values.append(max(gain, 0.0))\n"
        "        else:\n"
        "            z = gain / s\n"
        "            cdf = 0.5 * (1 + math.erf(z / math.sqrt(2)))\n"
        "            pdf = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)\n"
        "            values.append(gain * cdf + s * pdf)\n"
        "    return np.array(values).reshape(np.shape(mu))",
        "element by element with math.erf and the normal density written out",
    ),
    Answer(
        "ei",
        "from scipy.special import ndtr\n\n"
        "def expected_improvement(mu, sigma, best, xi=0.01):\n"
        "    gain = np.asarray(mu, dtype=float) - best - xi\n"
        "    sigma = np.asarray(sigma, dtype=float)\n"
        "    ei = np.maximum(gain, 0.0)\n"
        "    positive = sigma > 0\n"
        "    z = gain[positive] / sigma[positive]\n"
        "    ei[positive] = gain[positive] * ndtr(z) + sigma[positive] * np.exp(-0.5 * z**2) / np.sqrt(2 * np.pi)\n"
        "    return ei",
        "masked assignment on a new array, scipy.special.ndtr",
    ),
    Answer(
        "ucb",
        "def upper_confidence_bound(mu, sigma, kappa=2.0):\n"
        "    return np.array([m + kappa * s for m, s in zip(mu, sigma)])",
        "a list comprehension",
    ),
    Answer(
        "ucb",
        "def upper_confidence_bound(mu, sigma, kappa=2.0):\n"
        "    return np.add(mu, np.multiply(kappa, sigma))",
        "numpy ufuncs, no conversion",
    ),
    Answer(
        "next_query",
        "def next_query(acquisition, queried):\n"
        "    best_index, best_value = None, -np.inf\n"
        "    for index, value in enumerate(acquisition):\n"
        "        if index not in queried and (best_index is None or value > best_value):\n"
        "            best_index, best_value = index, value\n"
        "    return best_index",
        "a loop keeping the best unqueried candidate",
    ),
    Answer(
        "next_query",
        "def next_query(acquisition, queried):\n"
        "    for index in np.argsort(-np.asarray(acquisition), kind='stable'):\n"
        "        if int(index) not in set(int(q) for q in queried):\n"
        "            return int(index)",
        "candidates in decreasing order, the first not yet queried",
    ),
    Answer(
        "next_query",
        "def next_query(acquisition, queried):\n"
        "    masked = np.ma.masked_array(acquisition, mask=np.isin(np.arange(len(acquisition)), list(queried)))\n"
        "    return int(masked.argmax())",
        "a masked array",
    ),
    Answer(
        "best_so_far",
        "def best_so_far(values):\n"
        "    running, best = [], None\n"
        "    for value in values:\n"
        "        best = value if best is None else max(best, value)\n"
        "        running.append(best)\n"
        "    return np.array(running)",
        "a loop appending to a list",
    ),
    Answer(
        "best_so_far",
        "import itertools\n\n"
        "def best_so_far(values):\n"
        "    return np.fromiter(itertools.accumulate(values, max), dtype=float)",
        "itertools.accumulate with max",
    ),
    Answer(
        "best_so_far",
        "def best_so_far(values):\n"
        "    return pd.Series(values, dtype=float).cummax().to_numpy()",
        "pandas cummax",
    ),
    Answer(
        "queries",
        "def queries_to_find(order, targets):\n"
        "    return next((i + 1 for i, index in enumerate(order) if index in targets), None)",
        "a generator with next() and a default",
    ),
    Answer(
        "queries",
        "def queries_to_find(order, targets):\n"
        "    hits = np.flatnonzero(np.isin(np.asarray(order), list(targets)))\n"
        "    if hits.size == 0:\n"
        "        return None\n"
        "    return int(hits[0]) + 1",
        "numpy isin and flatnonzero",
    ),
    Answer(
        "random_queries",
        "def expected_random_queries(n_pool, n_targets):\n"
        "    # E[T] = sum over j of P(T > j): the first j draws all miss the targets.\n"
        "    expected, miss = 0.0, 1.0\n"
        "    for j in range(n_pool - n_targets + 1):\n"
        "        expected += miss\n"
        "        miss *= (n_pool - n_targets - j) / (n_pool - j)\n"
        "    return expected",
        "exact expectation summed from the distribution",
    ),
    Answer(
        "random_queries",
        "from fractions import Fraction\n\n"
        "def expected_random_queries(n_pool, n_targets):\n"
        "    gaps = n_targets + 1\n"
        "    others = n_pool - n_targets\n"
        "    return float(Fraction(others, gaps) + 1)",
        "expected gap before the first target, plus the draw that finds it",
    ),
]

WRONG_ANSWERS = [
    WrongAnswer(
        "fit_gp",
        "def fit_gp(x, y):\n"
        "    gp = GaussianProcessRegressor(kernel=ConstantKernel(1.0) * RBF(length_scale=0.1), random_state=0)\n"
        "    return gp.fit(np.reshape(x, (-1, 1)), y)",
        "test_fit_gp",
        "no noise term: the GP threads through every noisy point",
    ),
    WrongAnswer(
        "fit_gp",
        "def fit_gp(x, y):\n"
        "    gp = GaussianProcessRegressor(kernel=RBF(length_scale=0.1) + WhiteKernel(noise_level=0.01), random_state=0)\n"
        "    return gp.fit(np.reshape(x, (-1, 1)), y)",
        "test_fit_gp",
        "amplitude (ConstantKernel) left out of the kernel",
    ),
    WrongAnswer(
        "fit_gp",
        "def fit_gp(x, y):\n"
        "    gp = GaussianProcessRegressor(kernel=ConstantKernel(1.0) * RBF() + WhiteKernel(noise_level=0.01), random_state=0)\n"
        "    return gp.fit(np.reshape(x, (-1, 1)), y)",
        "test_fit_gp",
        "length scale left at RBF's default 1.0: on the lab's data the fit ends in another optimum",
    ),
    WrongAnswer(
        "fit_gp",
        "x_measured = x_measured.reshape(-1, 1)\n\n"
        "def fit_gp(x, y):\n"
        f"    gp = GaussianProcessRegressor(kernel={_KERNEL}, random_state=0, normalize_y=True)\n"
        "    return gp.fit(np.reshape(x, (-1, 1)), y)",
        "test_fit_gp",
        "normalize_y=True, not the model asked for (and the lab's x_measured rebound as a column)",
        rebinds=True,
    ),
    WrongAnswer(
        "noise",
        "def learned_noise_sd(gp):\n    return float(gp.kernel_.k2.noise_level)",
        "test_noise",
        "noise variance reported as the standard deviation",
    ),
    WrongAnswer(
        "noise",
        "def learned_noise_sd(gp):\n    return float(np.sqrt(gp.kernel.k2.noise_level))",
        "test_noise",
        "starting kernel (gp.kernel) read instead of the fitted one (gp.kernel_)",
    ),
    WrongAnswer(
        "noise",
        "def learned_noise_sd(gp):\n"
        "    return float(np.std(gp.y_train_ - gp.predict(gp.X_train_)))",
        "test_noise",
        "spread of the residuals at the measurements instead of the noise the kernel learned",
    ),
    WrongAnswer(
        "noise",
        "gp = GaussianProcessRegressor(kernel=" + _KERNEL + ", random_state=0).fit(x_measured.reshape(-1, 1), y_measured)\n\n"
        "def learned_noise_sd(model):\n"
        "    return float(np.sqrt(gp.kernel_.k2.noise_level))",
        "test_noise",
        "reads the notebook's own gp instead of its argument (and binds gp)",
        rebinds=True,
    ),
    WrongAnswer(
        "ei",
        _EI_START + "    improvement = best - mu - xi\n"
        "    z = improvement / np.where(sigma > 0, sigma, 1.0)\n"
        "    ei = improvement * norm.cdf(z) + sigma * norm.pdf(z)\n"
        "    return np.where(sigma > 0, ei, np.maximum(improvement, 0.0))",
        "test_ei",
        "improvement for minimisation while we maximise",
    ),
    WrongAnswer(
        "ei",
        _EI_START + "    improvement = mu - best - xi\n"
        "    z = improvement / np.where(sigma > 0, sigma, 1.0)\n"
        "    return np.where(sigma > 0, improvement * norm.cdf(z), np.maximum(improvement, 0.0))",
        "test_ei",
        "exploration term sigma * pdf(z) missing",
    ),
    WrongAnswer(
        "ei",
        _EI_START + "    z = (mu - best - xi) / sigma\n"
        "    return (mu - best - xi) * norm.cdf(z) + sigma * norm.pdf(z)",
        "test_ei",
        "division by sigma = 0 gives nan",
    ),
    WrongAnswer(
        "ei",
        "def expected_improvement(mu, sigma, best, xi=0.01):\n"
        "    sigma[sigma == 0] = 1e-12\n"
        "    z = (mu - best - xi) / sigma\n"
        "    return (mu - best - xi) * norm.cdf(z) + sigma * norm.pdf(z)",
        "test_ei",
        "zero sigmas replaced in the caller's array: right values, spoiled input",
        rebinds=True,
    ),
    WrongAnswer(
        "ucb",
        "def upper_confidence_bound(mu, sigma, kappa=2.0):\n    return np.asarray(mu) - kappa * np.asarray(sigma)",
        "test_ucb",
        "minus sign: a lower confidence bound",
    ),
    WrongAnswer(
        "ucb",
        "def upper_confidence_bound(mu, sigma, kappa=2.0):\n    return np.asarray(mu) + 2.0 * np.asarray(sigma)",
        "test_ucb",
        "kappa ignored",
    ),
    WrongAnswer(
        "ucb",
        "def upper_confidence_bound(mu, sigma, kappa=2.0):\n    return np.asarray(mu) + kappa * np.asarray(sigma) ** 2",
        "test_ucb",
        "variance instead of the standard deviation",
    ),
    WrongAnswer(
        "ucb",
        "kappa = 2.0\n\n"
        "def upper_confidence_bound(mu, sigma, kappa=2.0):\n"
        "    mu += kappa * sigma\n"
        "    return mu",
        "test_ucb",
        "adds to the caller's mu in place (and binds kappa)",
        rebinds=True,
    ),
    WrongAnswer(
        "next_query",
        "def next_query(acquisition, queried):\n    return int(np.argmax(acquisition))",
        "test_next_query",
        "already measured candidates not excluded: the loop repeats the same experiment",
    ),
    WrongAnswer(
        "next_query",
        "def next_query(acquisition, queried):\n"
        "    scores = np.array(acquisition, dtype=float)\n"
        "    scores[list(queried)] = np.inf\n"
        "    return int(np.argmin(scores))",
        "test_next_query",
        "smallest acquisition value chosen",
    ),
    WrongAnswer(
        "next_query",
        "def next_query(acquisition, queried):\n"
        "    return int(np.argmax(np.delete(acquisition, list(queried))))",
        "test_next_query",
        "index into the array with the queried candidates deleted, not into the candidates",
    ),
    WrongAnswer(
        "next_query",
        "def next_query(acquisition, queried):\n"
        "    acquisition[list(queried)] = -np.inf\n"
        "    return int(np.argmax(acquisition))",
        "test_next_query",
        "the caller's acquisition array overwritten",
        rebinds=True,
    ),
    WrongAnswer(
        "best_so_far",
        "def best_so_far(values):\n    return np.asarray(values, dtype=float)",
        "test_best_so_far",
        "the current value instead of the running maximum",
    ),
    WrongAnswer(
        "best_so_far",
        "def best_so_far(values):\n    return np.minimum.accumulate(np.asarray(values, dtype=float))",
        "test_best_so_far",
        "running minimum",
    ),
    WrongAnswer(
        "best_so_far",
        "def best_so_far(values):\n"
        "    best, running = 0.0, []\n"
        "    for value in values:\n"
        "        best = max(best, value)\n"
        "        running.append(best)\n"
        "    return np.array(running)",
        "test_best_so_far",
        "running maximum started from 0: wrong for negative values",
    ),
    WrongAnswer(
        "best_so_far",
        "def best_so_far(values):\n"
        "    for i in range(1, len(values)):\n"
        "        values[i] = max(values[i], values[i - 1])\n"
        "    return np.asarray(values, dtype=float)",
        "test_best_so_far",
        "running maximum written into the caller's values",
        rebinds=True,
    ),
    WrongAnswer(
        "queries",
        "def queries_to_find(order, targets):\n"
        "    for position, index in enumerate(order):\n"
        "        if index in targets:\n"
        "            return position\n"
        "    return None",
        "test_queries",
        "zero-based position: one query short",
    ),
    WrongAnswer(
        "queries",
        "def queries_to_find(order, targets):\n"
        "    hits = [index for index in order if index in targets]\n"
        "    return hits[0] if hits else None",
        "test_queries",
        "the index of the target found instead of the number of queries",
    ),
    WrongAnswer(
        "queries",
        "def queries_to_find(order, targets):\n"
        "    count = 0\n"
        "    for index in order:\n"
        "        count += 1\n"
        "        if index in targets:\n"
        "            break\n"
        "    return count",
        "test_queries",
        "the length of the search returned when no target is found, not None",
    ),
    WrongAnswer(
        "queries",
        "def queries_to_find(order, targets):\n"
        "    for count, index in enumerate(order[N_INIT:], start=1):\n"
        "        if index in targets:\n"
        "            return count\n"
        "    return None\n\n"
        "top = set(top) if 'top' in globals() else set()",
        "test_queries",
        "the random starting queries not counted (and top rebound)",
        rebinds=True,
    ),
    WrongAnswer(
        "random_queries",
        "def expected_random_queries(n_pool, n_targets):\n    return n_pool / n_targets",
        "test_random_queries",
        "N/K, the with-replacement estimate",
    ),
    WrongAnswer(
        "random_queries",
        "def expected_random_queries(n_pool, n_targets):\n    return n_pool / (n_targets + 1)",
        "test_random_queries",
        "off by one in the numerator",
    ),
    WrongAnswer(
        "random_queries",
        "def expected_random_queries(n_pool, n_targets):\n    return (n_pool - n_targets) / (n_targets + 1)",
        "test_random_queries",
        "the expected gap before the first target, without the draw that finds it",
    ),
    WrongAnswer(
        "random_queries",
        "N_TOP = 5\n\n"
        "def expected_random_queries(n_pool, n_targets):\n    return float((n_pool + 1) // (n_targets + 1))",
        "test_random_queries",
        "integer division (and N_TOP rebound)",
        rebinds=True,
    ),
]
