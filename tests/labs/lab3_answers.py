"""Plausible mistakes in lab 3 (materials data: the thermoelectric transport database), several per graded test."""

from labharness import Answer, WrongAnswer

CLEAN_HEADER = "def clean_transport(table):\n"
BEST_HEADER = "def best_p_type(table, k):\n"

CORRECT_ANSWERS: list[Answer] = []  # correct alternatives, written differently from the solution

WRONG_ANSWERS = [
    WrongAnswer(
        "drude",
        "def drude_conductivity(n_cm3, m_eff, tau_s):\n"
        "    return np.asarray(n_cm3) * constants.e**2 * tau_s / (np.asarray(m_eff) * constants.m_e)",
        "test_drude",
        "carrier concentration left in cm^-3: sigma a million times too small",
    ),
    WrongAnswer(
        "drude",
        "def drude_conductivity(n_cm3, m_eff, tau_s):\n"
        "    return np.asarray(n_cm3) * 1e-6 * constants.e**2 * tau_s / (np.asarray(m_eff) * constants.m_e)",
        "test_drude",
        "cm^-3 converted to m^-3 the wrong way (divided by 1e6)",
    ),
    WrongAnswer(
        "drude",
        "def drude_conductivity(n_cm3, m_eff, tau_s):\n"
        "    return np.asarray(n_cm3) * 1e6 * constants.e**2 * tau_s / np.asarray(m_eff)",
        "test_drude",
        "effective mass used as if in kg: the electron mass forgotten",
    ),
    WrongAnswer(
        "power_factor",
        "def power_factor_uW_cm_K2(S_uV_K, sigma_S_m):\n"
        "    return (np.asarray(S_uV_K) * 1e-6) ** 2 * np.asarray(sigma_S_m) * 1e6",
        "test_power_factor",
        "left per metre (uW/m/K^2, the file's unit): a hundred times too large",
    ),
    WrongAnswer(
        "power_factor",
        "def power_factor_uW_cm_K2(S_uV_K, sigma_S_m):\n"
        "    return (np.asarray(S_uV_K) * 1e-6) ** 2 * np.asarray(sigma_S_m) * 1e6 * 100",
        "test_power_factor",
        "per metre to per centimetre multiplied instead of divided",
    ),
    WrongAnswer(
        "power_factor",
        "def power_factor_uW_cm_K2(S_uV_K, sigma_S_m):\n"
        "    return np.asarray(S_uV_K) ** 2 * 1e-6 * np.asarray(sigma_S_m) * 1e6 / 100",
        "test_power_factor",
        "the microvolt factor not squared with S",
    ),
    WrongAnswer(
        "clean",
        CLEAN_HEADER + "    kept = table.dropna()\n    return kept[(kept[MUST_BE_POSITIVE] > 0).all(axis=1)]",
        "test_clean",
        "polymorphs (duplicated formulas) not dropped",
    ),
    WrongAnswer(
        "clean",
        CLEAN_HEADER + "    kept = table.dropna()\n"
        "    return kept[(kept[MUST_BE_POSITIVE] > 0).all(axis=1)].drop_duplicates('pretty_formula')",
        "test_clean",
        "first polymorph of each formula kept, not the one with the highest PF_p",
    ),
    WrongAnswer(
        "clean",
        CLEAN_HEADER + "    kept = table.sort_values('PF_p', ascending=False).drop_duplicates('pretty_formula')\n"
        "    kept = kept.dropna()\n    return kept[(kept[MUST_BE_POSITIVE] > 0).all(axis=1)]",
        "test_clean",
        "duplicates dropped before the invalid rows, so a broken polymorph stands for (and loses) its formula",
    ),
    WrongAnswer(
        "clean",
        CLEAN_HEADER + "    return table.sort_values('PF_p', ascending=False).drop_duplicates('pretty_formula')",
        "test_clean",
        "missing and non-physical values not dropped",
    ),
    WrongAnswer(
        "clean",
        CLEAN_HEADER + "    kept = table.dropna()\n"
        "    kept = kept[(kept.select_dtypes('number') > 0).all(axis=1)]\n"
        "    return kept.sort_values('PF_p', ascending=False).drop_duplicates('pretty_formula')",
        "test_clean",
        "every number required positive, so negative (n-type-like) Seebeck coefficients are thrown away",
    ),
    WrongAnswer(
        "correlation",
        "corr_linear = raw['sigma_p'].corr(raw['m_p'])\ncorr_log = corr_linear\nmass_is_function_of_sigma = False",
        "test_correlation",
        "no logarithm: the linear r near zero read as 'unrelated'",
    ),
    WrongAnswer(
        "correlation",
        "corr_linear = raw['sigma_p'].corr(raw['m_p'])\n"
        "corr_log = raw['sigma_p'].corr(raw['m_p'], method='spearman')\nmass_is_function_of_sigma = True",
        "test_correlation",
        "rank (Spearman) correlation given instead of Pearson's r of the logarithms",
    ),
    WrongAnswer(
        "correlation",
        "corr_linear = raw['sigma_p'].corr(raw['m_p'])\n"
        "corr_log = np.log10(raw['sigma_p']).corr(np.log10(raw['m_p']))\nmass_is_function_of_sigma = False",
        "test_correlation",
        "right numbers, but the mass column taken for independent information",
    ),
    WrongAnswer(
        "top_p_type",
        BEST_HEADER + "    chosen = table[(table['S_p'] > 100) & (table['S_n'] < -100)]\n"
        "    return chosen.sort_values('PF_p').head(k)",
        "test_top_p_type",
        "sorted ascending: the worst candidates returned",
    ),
    WrongAnswer(
        "top_p_type",
        BEST_HEADER + "    chosen = table[(table['S_p'] > 100) & (table['S_n'] < -100)]\n"
        "    return chosen.sort_values('PF_n', ascending=False).head(k)",
        "test_top_p_type",
        "p and n mixed up: ranked by the n-type power factor",
    ),
    WrongAnswer(
        "top_p_type",
        BEST_HEADER + "    return table[table['S_p'] > 100].sort_values('PF_p', ascending=False).head(k)",
        "test_top_p_type",
        "n-type condition forgotten, so narrow-band metals with large S of one sign slip in",
    ),
    WrongAnswer(
        "composition",
        "def count_elements(formula):\n    return int(Composition(formula).num_atoms)\n\n"
        "def element_frequency(formulas):\n"
        "    return pd.Series([e.symbol for f in formulas for e in Composition(f).elements]).value_counts()",
        "test_composition",
        "atoms in the formula unit counted instead of distinct elements",
    ),
    WrongAnswer(
        "composition",
        "def count_elements(formula):\n    return len(Composition(formula).elements)\n\n"
        "def element_frequency(formulas):\n"
        "    amounts = pd.Series(dtype=float)\n"
        "    for f in formulas:\n"
        "        amounts = amounts.add(pd.Series(Composition(f).get_el_amt_dict()), fill_value=0)\n"
        "    return amounts.sort_values(ascending=False)",
        "test_composition",
        "element frequency weighted by the number of atoms instead of counting compounds",
    ),
    WrongAnswer(
        "composition",
        "def count_elements(formula):\n    return len(Composition(formula).elements)\n\n"
        "def element_frequency(formulas):\n"
        "    symbols = [e.symbol for f in formulas for e in Composition(f).elements]\n"
        "    return pd.Series(symbols).value_counts(ascending=True)",
        "test_composition",
        "ordered from the least frequent element up",
    ),
]
