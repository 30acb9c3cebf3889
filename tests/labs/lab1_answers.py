"""Correct alternatives and plausible mistakes in lab 1 (diffusion in semiconductors)."""

from labharness import Answer, WrongAnswer

CORRECT_ANSWERS = [
    # Task 1: arrhenius
    Answer(
        "arrhenius",
        "import math\n\n\n"
        "def arrhenius(D0, Ea, T):\n"
        "    if np.ndim(T) == 0:\n"
        "        return D0 * math.exp(-Ea / (k_B * T))\n"
        "    return np.array([D0 * math.exp(-Ea / (k_B * t)) for t in T])",
        "a loop over temperatures with math.exp, one number for one temperature",
    ),
    Answer(
        "arrhenius",
        "from scipy.constants import physical_constants\n\n\n"
        "def arrhenius(D0, Ea, T):\n"
        "    kT = physical_constants['Boltzmann constant in eV/K'][0] * np.asarray(T)\n"
        "    return D0 / np.exp(Ea / kT)",
        "k_B in eV/K from scipy's table of constants, and a division by exp(+Ea/kT)",
    ),
    Answer(
        "arrhenius",
        "def arrhenius(D0, Ea, T):\n    return D0 * np.exp(-Ea / (8.617e-5 * T))",
        "Boltzmann's constant typed in eV/K to four significant figures",
    ),
    # Task 2: ea_units
    Answer(
        "ea_units",
        "dopants = dopants.assign(Ea_kJ_mol=dopants['Ea_eV'] * 96.485)",
        "DataFrame.assign with the conversion factor rounded to 96.485 kJ/mol per eV",
    ),
    Answer(
        "ea_units",
        "dopants['Ea_kJ_mol'] = [energy * constants.e * constants.N_A / 1e3 for energy in dopants['Ea_eV']]",
        "a list built by a loop over the column",
    ),
    Answer(
        "ea_units",
        "joules_per_eV = constants.physical_constants['electron volt-joule relationship'][0]\n"
        "dopants.insert(len(dopants.columns), 'Ea_kJ_mol', dopants['Ea_eV'].to_numpy() * joules_per_eV * constants.Avogadro / 1000)",
        "DataFrame.insert, with the eV-to-joule factor from scipy's table",
    ),
    # Task 3: diffusion_length
    Answer(
        "diffusion_length",
        "import math\n\n\n"
        "def diffusion_length_um(D, t_hours):\n"
        "    return np.vectorize(lambda d, t: math.sqrt(d * t * 3600) * 1e4)(D, t_hours)",
        "math.sqrt vectorised with np.vectorize",
    ),
    Answer(
        "diffusion_length",
        "def diffusion_length_um(D, t_hours):\n"
        "    seconds = t_hours * 60 * 60\n"
        "    L_cm = (D * seconds) ** 0.5\n"
        "    return L_cm / 1e-4",
        "** 0.5 and division by the size of a micrometre in cm",
    ),
    Answer(
        "diffusion_length",
        "def diffusion_length_um(D, t_hours):\n"
        "    L_m = np.sqrt(D * t_hours * constants.hour) * constants.centi\n"
        "    return L_m / constants.micro",
        "units from scipy.constants, through metres",
    ),
    # Task 4: fit
    Answer(
        "fit",
        "from scipy.stats import linregress\n\n\n"
        "def fit_arrhenius(T, D):\n"
        "    line = linregress(1 / np.asarray(T), np.log(D))\n"
        "    return -line.slope * k_B, np.exp(line.intercept)",
        "scipy.stats.linregress",
    ),
    Answer(
        "fit",
        "import math\n\n\n"
        "def fit_arrhenius(T, D):\n"
        "    x = [1 / t for t in T]\n"
        "    y = [math.log(d) for d in D]\n"
        "    n = len(x)\n"
        "    x_mean, y_mean = sum(x) / n, sum(y) / n\n"
        "    slope = sum((a - x_mean) * (b - y_mean) for a, b in zip(x, y)) / sum((a - x_mean) ** 2 for a in x)\n"
        "    intercept = y_mean - slope * x_mean\n"
        "    return -slope * k_B, math.exp(intercept)",
        "the least-squares formulas written out with loops over lists",
    ),
    Answer(
        "fit",
        "from scipy.optimize import curve_fit\n\n\n"
        "def fit_arrhenius(T, D):\n"
        "    def line(T, Ea, lnD0):\n"
        "        return lnD0 - Ea / (k_B * T)\n\n"
        "    (Ea, lnD0), _ = curve_fit(line, np.asarray(T, dtype=float), np.log(D), p0=[1.0, 0.0])\n"
        "    return Ea, np.exp(lnD0)",
        "scipy's curve_fit of the linearised law, with Ea itself as a parameter",
    ),
    # Task 5: metrics
    Answer(
        "metrics",
        "import math\n\n\n"
        "def rmse(y_true, y_pred):\n"
        "    total = 0.0\n"
        "    for a, b in zip(y_true, y_pred):\n"
        "        total += (a - b) ** 2\n"
        "    return math.sqrt(total / len(y_true))\n\n\n"
        "def r_squared(y_true, y_pred):\n"
        "    mean = sum(y_true) / len(y_true)\n"
        "    residual = sum((a - b) ** 2 for a, b in zip(y_true, y_pred))\n"
        "    spread = sum((a - mean) ** 2 for a in y_true)\n"
        "    return float(1 - residual / spread)",
        "plain Python loops",
    ),
    Answer(
        "metrics",
        "def rmse(y_true, y_pred):\n"
        "    difference = np.subtract(y_true, y_pred, dtype=float)\n"
        "    return float(np.linalg.norm(difference) / np.sqrt(difference.size))\n\n\n"
        "def r_squared(y_true, y_pred):\n"
        "    y_true = np.array(y_true, dtype=float)\n"
        "    return float(1 - np.mean((y_true - np.asarray(y_pred)) ** 2) / np.var(y_true))",
        "the norm of the residuals, and R^2 from the mean squared error over the variance",
    ),
    # Task 6: groupby
    Answer(
        "groupby",
        "means = {}\n"
        "for mechanism in dopants['mechanism'].unique():\n"
        "    means[mechanism] = dopants.loc[dopants['mechanism'] == mechanism, 'Ea_eV'].mean()\n"
        "mean_Ea_by_mechanism = pd.Series(means)",
        "a loop over the mechanisms with boolean masks",
    ),
    Answer(
        "groupby",
        "mean_Ea_by_mechanism = dopants.pivot_table(index='mechanism', values='Ea_eV', aggfunc='mean')['Ea_eV']",
        "a pivot table",
    ),
    Answer(
        "groupby",
        "summary = dopants.groupby('mechanism').agg(mean_Ea=('Ea_eV', 'mean'), n=('Ea_eV', 'size'))\n"
        "mean_Ea_by_mechanism = summary['mean_Ea']\nsummary",
        "named aggregation, the means taken from a summary table",
    ),
    # Task 7: correlation
    Answer(
        "correlation",
        "corr_Ea_mass = np.corrcoef(dopants['Ea_eV'], dopants['mass_u'])[0, 1]\nEa_controlled_by = 'mechanism'",
        "numpy's correlation matrix",
    ),
    Answer(
        "correlation",
        "from scipy.stats import pearsonr\n\n"
        "Ea_controlled_by = 'mechanism'\n"
        "corr_Ea_mass = pearsonr(dopants['mass_u'], dopants['Ea_eV'])[0]",
        "scipy.stats.pearsonr, the arguments the other way round",
    ),
    Answer(
        "correlation",
        "x, y = dopants['Ea_eV'].to_numpy(), dopants['mass_u'].to_numpy()\n"
        "covariance = np.mean((x - x.mean()) * (y - y.mean()))\n"
        "corr_Ea_mass = covariance / (x.std() * y.std())\n"
        "Ea_controlled_by = 'MECHANISM'.lower()",
        "Pearson's formula written out",
    ),
]

WRONG_ANSWERS = [
    WrongAnswer(
        "arrhenius",
        "k_B = constants.k  # Boltzmann's constant\n\n\n"
        "def arrhenius(D0, Ea, T):\n    return D0 * np.exp(-Ea / (k_B * T))",
        "test_arrhenius",
        "k_B rebound to Boltzmann's constant in J/K with Ea in eV, so D comes out as D0 (and the lab's k_B is spoilt)",
        rebinds=True,
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
        "arrhenius",
        "def arrhenius(D0, Ea, T):\n    T *= k_B  # now k_B T in eV\n    return D0 * np.exp(-Ea / T)",
        "test_arrhenius",
        "right values, but an array of temperatures is overwritten in place with k_B T",
    ),
    WrongAnswer(
        "ea_units",
        "dopants['Ea_eV'] = dopants['Ea_eV'] * constants.e * constants.N_A / 1000\n"
        "dopants = dopants.rename(columns={'Ea_eV': 'Ea_kJ_mol'})",
        "test_ea_units",
        "the column converted in place and renamed, so Ea_eV is gone (spoils the table for later cells)",
        rebinds=True,
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
        "ea_units",
        "dopants['Ea_kJ_mol'] = dopants['Ea_eV'] * 23.06",
        "test_ea_units",
        "kcal/mol instead of kJ/mol",
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
        "diffusion_length",
        "def diffusion_length_um(D, t_hours):\n    t = t_hours * 3600\n    return np.sqrt(2 * D * t) * 1e4",
        "test_diffusion_length",
        "sqrt(2 D t) from a textbook instead of the lab's L = sqrt(D t)",
        rebinds=True,
    ),
    WrongAnswer(
        "diffusion_length",
        "def diffusion_length_um(D, t_hours):\n    return np.sqrt(D * t_hours * 60) * 1e4",
        "test_diffusion_length",
        "hours converted to minutes, not seconds",
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
        "x, y = 1 / T_measured, np.log(D_measured)\n\n\n"
        "def fit_arrhenius(T, D):\n"
        "    slope, intercept = np.polyfit(x, y, 1)\n"
        "    return -slope * k_B, np.exp(intercept)",
        "test_fit",
        "the function fits the global boron data, whatever it is given",
    ),
    WrongAnswer(
        "fit",
        "T_measured = 1 / T_measured  # work in 1/T from here on\n\n\n"
        "def fit_arrhenius(T, D):\n"
        "    slope, intercept = np.polyfit(T, np.log(D), 1)\n"
        "    return -slope * k_B, np.exp(intercept)",
        "test_fit",
        "T_measured rebound to 1/T and the function expects 1/T, not T as the task says",
        rebinds=True,
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
        "metrics",
        "def rmse(y_true, y_pred):\n    return float(np.std(np.asarray(y_true) - np.asarray(y_pred)))\n\n"
        "def r_squared(y_true, y_pred):\n"
        "    y_true, y_pred = np.asarray(y_true, float), np.asarray(y_pred, float)\n"
        "    return float(1 - np.sum((y_true - y_pred) ** 2) / np.sum((y_true - y_true.mean()) ** 2))",
        "test_metrics",
        "standard deviation of the residuals taken as RMSE (the mean error is subtracted)",
    ),
    WrongAnswer(
        "metrics",
        "def rmse(y_true, y_pred):\n    return float(np.sqrt(np.mean((np.asarray(y_true) - np.asarray(y_pred)) ** 2)))\n\n"
        "def r_squared(y_true, y_pred):\n"
        "    residuals = np.asarray(y_true, float) - np.asarray(y_pred, float)\n"
        "    return float(1 - np.var(residuals) / np.var(y_true))",
        "test_metrics",
        "R^2 from the variance of the residuals, blind to a constant offset",
        rebinds=True,
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
        "groupby",
        "mean_Ea_by_mechanism = pd.Series(dopants['Ea_eV'].mean(), index=['interstitial', 'substitutional'])",
        "test_groupby",
        "the mean of all dopants given to both mechanisms",
    ),
    WrongAnswer(
        "groupby",
        "dopants = dopants.groupby('mechanism').median(numeric_only=True)\n"
        "mean_Ea_by_mechanism = dopants['Ea_eV']",
        "test_groupby",
        "the table replaced by its per-mechanism medians (spoils dopants for the next task)",
        rebinds=True,
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
    WrongAnswer(
        "correlation",
        "corr_Ea_mass = dopants['Ea_eV'].corr(dopants['mass_u']) ** 2\nEa_controlled_by = 'mechanism'",
        "test_correlation",
        "r^2 reported instead of r",
    ),
    WrongAnswer(
        "correlation",
        "dopants = dopants[dopants['mechanism'] == 'substitutional']\n"
        "corr_Ea_mass = dopants['Ea_eV'].corr(dopants['mass_u'])\nEa_controlled_by = 'mechanism'",
        "test_correlation",
        "the table cut to the substitutional dopants, not all eleven",
        rebinds=True,
    ),
]
