"""Plausible mistakes in lab 1 (diffusion in semiconductors), one or more per graded test."""

from labharness import Answer, WrongAnswer

CORRECT_ANSWERS: list[Answer] = []  # correct alternatives, written differently from the solution

WRONG_ANSWERS = [
    WrongAnswer(
        "arrhenius",
        "def arrhenius(D0, Ea, T):\n    return D0 * np.exp(-Ea / (constants.k * T))",
        "test_arrhenius",
        "Boltzmann's constant in J/K with Ea in eV, so D comes out as D0",
    ),
    WrongAnswer(
        "arrhenius",
        "def arrhenius(D0, Ea, T):\n    return D0 * np.exp(Ea / (k_B * T))",
        "test_arrhenius",
        "sign of the exponent lost",
    ),
    WrongAnswer(
        "arrhenius",
        "def arrhenius(D0, Ea, T):\n    return D0 * np.exp(-Ea / (k_B * (T - 273.15)))",
        "test_arrhenius",
        "temperature treated as Celsius",
    ),
    WrongAnswer(
        "ea_units",
        "dopants['Ea_kJ_mol'] = dopants['Ea_eV'] * constants.e * constants.N_A",
        "test_ea_units",
        "J/mol instead of kJ/mol",
    ),
    WrongAnswer(
        "ea_units",
        "dopants['Ea_kJ_mol'] = dopants['Ea_eV'] * constants.e / 1000",
        "test_ea_units",
        "per atom, Avogadro's number forgotten",
    ),
    WrongAnswer(
        "diffusion_length",
        "def diffusion_length_um(D, t_hours):\n    return np.sqrt(D * t_hours) * 1e4",
        "test_diffusion_length",
        "hours not converted to seconds",
    ),
    WrongAnswer(
        "diffusion_length",
        "def diffusion_length_um(D, t_hours):\n    return np.sqrt(D * t_hours * 3600)",
        "test_diffusion_length",
        "length left in cm",
    ),
    WrongAnswer(
        "fit",
        "def fit_arrhenius(T, D):\n"
        "    slope, intercept = np.polyfit(1 / T, np.log10(D), 1)\n"
        "    return -slope * k_B, 10 ** intercept",
        "test_fit",
        "log10 instead of the natural logarithm: Ea too small by ln 10",
    ),
    WrongAnswer(
        "fit",
        "def fit_arrhenius(T, D):\n"
        "    slope, intercept = np.polyfit(1 / T, np.log(D), 1)\n"
        "    return -slope, np.exp(intercept)",
        "test_fit",
        "slope returned without multiplying by k_B",
    ),
    WrongAnswer(
        "fit",
        "def fit_arrhenius(T, D):\n"
        "    slope, intercept = np.polyfit(1 / T, np.log(D), 1)\n"
        "    return -slope * k_B, intercept",
        "test_fit",
        "ln D0 returned instead of D0",
    ),
    WrongAnswer(
        "metrics",
        "def rmse(y_true, y_pred):\n    return float(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2))\n\n"
        "def r_squared(y_true, y_pred):\n"
        "    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)\n"
        "    return float(1 - np.sum((y_true - y_pred) ** 2) / np.sum((y_true - y_true.mean()) ** 2))",
        "test_metrics",
        "mean squared error reported as RMSE (no square root)",
    ),
    WrongAnswer(
        "metrics",
        "def rmse(y_true, y_pred):\n    return float(np.sqrt(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2)))\n\n"
        "def r_squared(y_true, y_pred):\n    return float(np.corrcoef(y_true, y_pred)[0, 1] ** 2)",
        "test_metrics",
        "squared Pearson correlation used as R^2",
    ),
    WrongAnswer(
        "groupby",
        "mean_Ea_by_mechanism = dopants.groupby('mechanism')['Ea_eV'].median()",
        "test_groupby",
        "median instead of mean",
    ),
    WrongAnswer(
        "groupby",
        "mean_Ea_by_mechanism = dopants.groupby('mechanism')['Ea_eV'].sum()",
        "test_groupby",
        "sum instead of mean",
    ),
    WrongAnswer(
        "correlation",
        "corr_Ea_mass = dopants['Ea_eV'].corr(dopants['mass_u'])\nEa_controlled_by = 'mass'",
        "test_correlation",
        "the weak correlation read as mass controlling Ea",
    ),
    WrongAnswer(
        "correlation",
        "corr_Ea_mass = dopants['Ea_eV'].corr(dopants['mass_u'], method='spearman')\nEa_controlled_by = 'mechanism'",
        "test_correlation",
        "rank (Spearman) correlation instead of Pearson's",
    ),
]
