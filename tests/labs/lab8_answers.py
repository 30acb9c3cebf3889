"""Plausible mistakes in lab 8 (closed-loop optimisation), one or more per graded test."""

from labharness import Answer, WrongAnswer

_EI_START = (
    "def expected_improvement(mu, sigma, best, xi=0.01):\n"
    "    mu, sigma = np.asarray(mu, dtype=float), np.asarray(sigma, dtype=float)\n"
)

CORRECT_ANSWERS: list[Answer] = []  # correct alternatives, written differently from the solution

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
]
