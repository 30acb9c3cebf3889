"""Lab 3 (materials data: the thermoelectric transport database): correct alternatives and plausible
mistakes, several per graded test."""

from labharness import Answer, WrongAnswer

CLEAN_HEADER = "def clean_transport(table):\n"
BEST_HEADER = "def best_p_type(table, k):\n"
CORRELATION_PRINT = '\nprint(f"Pearson r of sigma_p and m_p: {corr_linear:.3f}; of their logarithms: {corr_log:.3f}")\n'

CORRECT_ANSWERS = [
    Answer(
        "drude",
        "def drude_conductivity(n_cm3, m_eff, tau_s):\n"
        "    # plain operators: numbers, arrays and Series all broadcast\n"
        "    return n_cm3 * 1e6 * constants.e**2 * tau_s / (m_eff * constants.m_e)",
        "plain arithmetic on the arguments, no np.asarray",
    ),
    Answer(
        "drude",
        "from scipy.constants import e as charge, m_e as electron_mass\n\n\n"
        "def drude_conductivity(n_cm3, m_eff, tau_s):\n"
        "    n = np.multiply(n_cm3, 100.0**3)  # per cm^3 -> per m^3\n"
        "    mass = np.multiply(m_eff, electron_mass)\n"
        "    return np.divide(n * charge * charge * tau_s, mass)",
        "constants imported by name, numpy ufuncs, the cm^-3 factor written as 100^3",
    ),
    Answer(
        "power_factor",
        "def power_factor_uW_cm_K2(S_uV_K, sigma_S_m):\n"
        "    S_V_K = S_uV_K / 1e6\n"
        "    pf_W_m_K2 = S_V_K**2 * sigma_S_m\n"
        "    return pf_W_m_K2 * 1e4  # x 1e6 uW per W, / 100 cm per m",
        "conversions folded into one factor 1e4, pandas Series kept as Series",
    ),
    Answer(
        "power_factor",
        "def power_factor_uW_cm_K2(S_uV_K, sigma_S_m):\n"
        "    return np.square(np.array(S_uV_K, dtype=float)) * np.array(sigma_S_m, dtype=float) * 1e-8",
        "np.square on the microvolts and one overall factor 1e-12 * 1e6 / 100",
    ),
    Answer(
        "clean",
        CLEAN_HEADER + "    kept = table.dropna()\n"
        "    for column in MUST_BE_POSITIVE:\n"
        "        kept = kept[kept[column] > 0]\n"
        "    best = kept.groupby('pretty_formula')['PF_p'].idxmax()\n"
        "    return kept.loc[best]",
        "a loop over the positive columns, then groupby-idxmax for the best polymorph",
    ),
    Answer(
        "clean",
        CLEAN_HEADER + "    valid = table.notna().all(axis=1) & (table[MUST_BE_POSITIVE] > 0).all(axis=1)\n"
        "    good = table[valid]\n"
        "    return good.sort_values(['pretty_formula', 'PF_p']).groupby('pretty_formula').tail(1)",
        "one boolean mask, then the last row of each formula sorted by PF_p ascending",
    ),
    Answer(
        "correlation",
        "from scipy.stats import pearsonr\n\n"
        "corr_linear = pearsonr(raw['sigma_p'], raw['m_p'])[0]\n"
        "corr_log = pearsonr(np.log(raw['sigma_p']), np.log(raw['m_p']))[0]\n"
        "print((raw['m_p'] * raw['sigma_p']).describe())\n"
        "mass_is_function_of_sigma = True" + CORRELATION_PRINT,
        "scipy's pearsonr and natural logarithms",
    ),
    Answer(
        "correlation",
        "def pearson(x, y):\n"
        "    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)\n"
        "    dx, dy = x - x.mean(), y - y.mean()\n"
        "    return (dx * dy).sum() / np.sqrt((dx**2).sum() * (dy**2).sum())\n\n\n"
        "corr_linear = pearson(raw['sigma_p'], raw['m_p'])\n"
        "corr_log = pearson(np.log2(raw['sigma_p']), np.log2(raw['m_p']))\n"
        "quartiles = (raw['m_p'] * raw['sigma_p']).describe()\n"
        "mass_is_function_of_sigma = bool(quartiles['75%'] / quartiles['25%'] < 10)" + CORRELATION_PRINT,
        "Pearson's r written out, base-2 logarithms, the verdict computed from the quartiles",
    ),
    Answer(
        "top_p_type",
        BEST_HEADER + "    mask = (table['S_p'] > 100) & (table['S_n'] < -100)\n"
        "    return table.loc[mask].nlargest(k, 'PF_p')",
        "nlargest instead of sort_values and head",
    ),
    Answer(
        "top_p_type",
        BEST_HEADER + "    chosen = table.query('S_p > 100 and S_n < -100')\n"
        "    order = np.argsort(-chosen['PF_p'].to_numpy())\n"
        "    return chosen.iloc[order[:k]]",
        "query, then numpy argsort of the negated power factor",
    ),
    Answer(
        "composition",
        "from collections import Counter\n\n\n"
        "def count_elements(formula):\n"
        "    return len(Composition(formula).get_el_amt_dict())\n\n\n"
        "def element_frequency(formulas):\n"
        "    counts = Counter()\n"
        "    for formula in formulas:\n"
        "        counts.update(set(Composition(formula).get_el_amt_dict()))\n"
        "    return pd.Series(counts).sort_values(ascending=False)",
        "the amounts dictionary's keys, a Counter of sets, sort_values",
    ),
    Answer(
        "composition",
        "def count_elements(formula):\n"
        "    return len({element.symbol for element in Composition(formula)})\n\n\n"
        "def element_frequency(formulas):\n"
        "    counts = {}\n"
        "    for formula in formulas:\n"
        "        for symbol in {element.symbol for element in Composition(formula)}:\n"
        "            counts[symbol] = counts.get(symbol, 0) + 1\n"
        "    ordered = sorted(counts.items(), key=lambda pair: pair[1], reverse=True)\n"
        "    return pd.Series(dict(ordered))",
        "a set of symbols, a plain dictionary and sorted()",
    ),
]

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
        "drude",
        "def drude_conductivity(n_cm3, m_eff, tau_s):\n"
        "    return n_cm3 * 1e6 * constants.e * tau_s / (m_eff * constants.m_e)\n\n\n"
        "# the file is for tau = 1e-15 s: rescale it to a realistic 1e-14 s\n"
        "raw['sigma_p'] = raw['sigma_p'] * 10\nraw['sigma_n'] = raw['sigma_n'] * 10",
        "test_drude",
        "e not squared; and the lab's conductivity columns rescaled in place",
        rebinds=True,
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
        "power_factor",
        "def power_factor_uW_cm_K2(S_uV_K, sigma_S_m):\n"
        "    sigma_S_cm = sigma_S_m / 100\n"
        "    return (S_uV_K * 1e-6) ** 2 * sigma_S_cm * 1e6 / 100\n\n\n"
        "# the file's power factors in paper units, in place\n"
        "raw['PF_p'] = raw['PF_p'] / 100\nraw['PF_n'] = raw['PF_n'] / 100",
        "test_power_factor",
        "per centimetre applied twice (sigma in S/cm and the result / 100); and the lab's PF columns rescaled in place",
        rebinds=True,
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
        CLEAN_HEADER + "    kept = table.dropna()\n"
        "    kept = kept[(kept.select_dtypes('number') > 0).all(axis=1)]\n"
        "    return kept.sort_values('PF_p', ascending=False).drop_duplicates('pretty_formula')",
        "test_clean",
        "every number required positive, so negative (n-type-like) Seebeck coefficients are thrown away",
    ),
    WrongAnswer(
        "clean",
        CLEAN_HEADER + "    table.sort_values('PF_p', ascending=False, inplace=True)  # best polymorph first\n"
        "    kept = table.dropna()\n"
        "    kept = kept[(kept[MUST_BE_POSITIVE] > 0).all(axis=1)]\n"
        "    return kept.drop_duplicates('pretty_formula')",
        "test_clean",
        "the table handed in sorted in place (and the lab's raw with it, by the cell that cleans it)",
        rebinds=True,
    ),
    WrongAnswer(
        "correlation",
        "corr_linear = raw['sigma_p'].corr(raw['m_p'])\ncorr_log = corr_linear\nmass_is_function_of_sigma = False"
        + CORRELATION_PRINT,
        "test_correlation",
        "no logarithm: the linear r near zero read as 'unrelated'",
    ),
    WrongAnswer(
        "correlation",
        "corr_linear = raw['sigma_p'].corr(raw['m_p'])\n"
        "corr_log = raw['sigma_p'].corr(raw['m_p'], method='spearman')\nmass_is_function_of_sigma = True"
        + CORRELATION_PRINT,
        "test_correlation",
        "rank (Spearman) correlation given instead of Pearson's r of the logarithms",
    ),
    WrongAnswer(
        "correlation",
        "corr_linear = transport['sigma_p'].corr(transport['m_p'])\n"
        "corr_log = np.log10(transport['sigma_p']).corr(np.log10(transport['m_p']))\nmass_is_function_of_sigma = True"
        + CORRELATION_PRINT,
        "test_correlation",
        "the cleaned table (one polymorph per formula) used instead of every row of raw",
    ),
    WrongAnswer(
        "correlation",
        "corr_linear = raw['sigma_p'].corr(raw['m_p'])\n"
        "raw['sigma_p'] = np.log10(raw['sigma_p'])\nraw['m_p'] = np.log10(raw['m_p'])\n"
        "corr_log = raw['sigma_p'].corr(raw['m_p'])\nmass_is_function_of_sigma = False" + CORRELATION_PRINT,
        "test_correlation",
        "right numbers, but the mass column taken for independent information; and logarithms taken in place in raw",
        rebinds=True,
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
        "top_p_type",
        BEST_HEADER + "    table.sort_values('PF_p', ascending=False, inplace=True)\n"
        "    return table[(table['S_p'] > 100) & (table['S_n'] < -100)].head(k)",
        "test_top_p_type",
        "sorted in place: the table handed in comes back reordered",
        rebinds=True,
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
    WrongAnswer(
        "composition",
        "import re\n\n\n"
        "def count_elements(formula):\n    return len(re.findall('[A-Z][a-z]?', formula))\n\n\n"
        "def element_frequency(formulas):\n"
        "    symbols = [s for f in formulas for s in re.findall('[A-Z][a-z]?', f)]\n"
        "    return pd.Series(symbols).value_counts()",
        "test_composition",
        "element symbols in the formula counted, so an element written twice (NH4NO3) counts twice",
        rebinds=True,
    ),
]
