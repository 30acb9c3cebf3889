"""Lab 4 (crystal representations): correct alternatives and plausible mistakes, several per graded test."""

from labharness import Answer, WrongAnswer

FRACTIONAL = (
    "def fractional_vector(formula):\n"
    "    vector = np.zeros(len(ELEMENTS))\n"
    "    composition = Composition(formula)\n"
    "    for element, amount in composition.items():\n"
    "        vector[ELEMENTS.index(element.symbol)] = amount / composition.num_atoms\n"
    "    return vector\n\n"
)
ONE_HOT = "def one_hot_vector(formula):\n    return (fractional_vector(formula) > 0).astype(float)\n\n"
ANSWERS = "tells_TiO2_from_Ti2O3 = 'fractional'\ntells_rutile_from_anatase = 'neither'\n"

COULOMB = (
    "def coulomb_matrix(structure):\n"
    "    Z = np.array([site.specie.Z for site in structure], dtype=float)\n"
    "    r = {distances}\n"
    "    np.fill_diagonal(r, 1.0)\n"
    "    M = np.outer(Z, Z) / r\n"
    "    np.fill_diagonal(M, {diagonal})\n"
    "    return M\n"
)

SCREEN = "\n\nn_neutral_abo3 = sum(is_charge_neutral(f'{A}{B}O3') for A in A_SITE for B in B_SITE)\n"
NEUTRAL = (
    "def is_charge_neutral(formula):\n"
    "    amounts = Composition(formula).get_el_amt_dict()\n"
    "    symbols = list(amounts)\n"
    "    for charges in itertools.product(*(oxidation_states(s) for s in symbols)):\n"
    "        if np.isclose(sum(q * amounts[s] for q, s in zip(charges, symbols)), 0):\n"
    "            return True\n"
    "    return False\n"
)
NEIGHBOURS_HEADER = "def nearest_neighbours(structure, index, tol=0.1):\n"

CORRECT_ANSWERS = [
    Answer(
        "fluorite",
        "def build_fluorite(A, X, a):\n"
        "    fcc = [[0, 0, 0], [0, 0.5, 0.5], [0.5, 0, 0.5], [0.5, 0.5, 0]]\n"
        "    holes = [[x, y, z] for x in (0.25, 0.75) for y in (0.25, 0.75) for z in (0.25, 0.75)]\n"
        "    return Structure(Lattice.cubic(a), [A] * 4 + [X] * 8, fcc + holes)",
        "the 12 sites written out: the fcc cations and the 8 tetrahedral holes",
    ),
    Answer(
        "fluorite",
        "def build_fluorite(A, X, a):\n"
        "    lattice = Lattice.from_parameters(a, a, a, 90, 90, 90)\n"
        "    return Structure.from_spacegroup(225, lattice, [Element(A), Element(X)], [[0, 0, 0], [0.75, 0.75, 0.75]])",
        "space group by number, Element species, the other representative (3/4, 3/4, 3/4) of 8c",
    ),
    Answer(
        "density",
        "def density_g_cm3(structure):\n"
        "    mass_kg = structure.composition.weight * constants.atomic_mass\n"
        "    volume_m3 = structure.volume * 1e-30\n"
        "    return float(mass_kg / volume_m3 / 1000)  # kg/m^3 -> g/cm^3",
        "SI units (atomic mass unit in kg, m^3), then kg/m^3 to g/cm^3",
    ),
    Answer(
        "density",
        "def density_g_cm3(structure):\n"
        "    mass_u = 0.0\n"
        "    for site in structure:\n"
        "        mass_u += float(site.specie.atomic_mass)\n"
        "    grams = mass_u / constants.Avogadro\n"
        "    return grams / (structure.lattice.volume * (1e-8) ** 3)",
        "mass summed over the sites in a loop, the lattice's volume, (1e-8 cm)^3",
    ),
    Answer(
        "neighbours",
        NEIGHBOURS_HEADER + "    site = structure[index]\n"
        "    radius = 1.0\n"
        "    found = structure.get_neighbors(site, radius)\n"
        "    while not found:\n"
        "        radius *= 1.5\n"
        "        found = structure.get_neighbors(site, radius)\n"
        "    d_nn = min(n.nn_distance for n in found)\n"
        "    shell = structure.get_neighbors(site, (1 + tol) * d_nn + 1e-6)\n"
        "    return d_nn, len(shell)",
        "the search radius grown until a neighbour turns up, then a second search at (1 + tol) d_nn",
    ),
    Answer(
        "neighbours",
        NEIGHBOURS_HEADER + "    frac = structure.frac_coords - structure.frac_coords[index]\n"
        "    distances = []\n"
        "    for shift in itertools.product(range(-2, 3), repeat=3):\n"
        "        cart = structure.lattice.get_cartesian_coords(frac + np.array(shift))\n"
        "        distances.extend(np.linalg.norm(cart, axis=1))\n"
        "    distances = np.array(distances)\n"
        "    distances = distances[distances > 1e-8]  # the atom itself\n"
        "    d_nn = distances.min()\n"
        "    return float(d_nn), int(np.count_nonzero(distances <= (1 + tol) * d_nn * (1 + 1e-9)))",
        "periodic images built by hand: every atom shifted by -2..2 cells along each axis",
    ),
    Answer(
        "neighbours",
        NEIGHBOURS_HEADER + "    centre = structure[index].coords\n"
        "    sites = structure.get_sites_in_sphere(centre, (1 + tol) * max(structure.lattice.abc))\n"
        "    d = np.sort([s.nn_distance for s in sites])\n"
        "    d = d[d > 1e-6]  # get_sites_in_sphere includes the atom itself\n"
        "    cn = sum(1 for x in d if x <= (1 + tol) * d[0] + 1e-8)\n"
        "    return d[0], cn",
        "get_sites_in_sphere with a generous radius, the atom itself removed by its zero distance",
    ),
    Answer(
        "composition",
        "def fractional_vector(formula):\n"
        "    composition = Composition(formula)\n"
        "    return np.array([composition.get_atomic_fraction(symbol) for symbol in ELEMENTS])\n\n\n"
        "def one_hot_vector(formula):\n"
        "    composition = Composition(formula)\n"
        "    return np.array([1.0 if composition[symbol] > 0 else 0.0 for symbol in ELEMENTS])\n\n\n"
        "tells_rutile_from_anatase = 'neither'\ntells_TiO2_from_Ti2O3 = 'fractional'\n",
        "list comprehensions over ELEMENTS with get_atomic_fraction, answers in the other order",
    ),
    Answer(
        "composition",
        "def fractional_vector(formula):\n"
        "    fractions = Composition(formula).fractional_composition.get_el_amt_dict()\n"
        "    return np.array([fractions.get(symbol, 0.0) for symbol in ELEMENTS])\n\n\n"
        "def one_hot_vector(formula):\n"
        "    present = list(Composition(formula).get_el_amt_dict())\n"
        "    return np.isin(ELEMENTS, present).astype(int)\n\n\n"
        'tells_TiO2_from_Ti2O3 = "fractional"\ntells_rutile_from_anatase = "neither"\n',
        "fractional_composition's dictionary, one-hot as an integer array from np.isin",
    ),
    Answer(
        "coulomb",
        "def coulomb_matrix(structure):\n"
        "    n = len(structure)\n"
        "    M = np.zeros((n, n))\n"
        "    for i in range(n):\n"
        "        for j in range(n):\n"
        "            Zi, Zj = structure[i].specie.Z, structure[j].specie.Z\n"
        "            if i == j:\n"
        "                M[i, j] = 0.5 * Zi**2.4\n"
        "            else:\n"
        "                M[i, j] = Zi * Zj / (structure.get_distance(i, j) / 0.529177)\n"
        "    return M",
        "a double loop over get_distance, the bohr typed as 0.529177 Å",
    ),
    Answer(
        "coulomb",
        "def coulomb_matrix(structure):\n"
        "    Z = np.array([s.specie.Z for s in structure.sites])\n"
        "    r = structure.lattice.get_all_distances(structure.frac_coords, structure.frac_coords) / BOHR_IN_ANGSTROM\n"
        "    with np.errstate(divide='ignore'):\n"
        "        off_diagonal = np.outer(Z, Z) / r\n"
        "    return np.where(np.eye(len(Z), dtype=bool), 0.5 * Z**2.4, off_diagonal)",
        "the lattice's get_all_distances, np.where to put in the diagonal",
    ),
    Answer(
        "eigen",
        "def eigen_descriptor(M, size):\n"
        "    values = sorted(np.linalg.eigvals(M).real, reverse=True)\n"
        "    return np.array(values + [0.0] * (size - len(values)))",
        "general eigvals, Python's sorted and list padding",
    ),
    Answer(
        "eigen",
        "from scipy.linalg import eigh\n\n\n"
        "def eigen_descriptor(M, size):\n"
        "    w = eigh(M, eigvals_only=True)\n"
        "    out = np.zeros(size)\n"
        "    out[: len(w)] = w[::-1]\n"
        "    return out",
        "scipy's eigh, written into a zero array",
    ),
    Answer(
        "smact",
        "def is_charge_neutral(formula):\n"
        "    amounts = Composition(formula).get_el_amt_dict()\n"
        "    totals = {0.0}\n"
        "    for symbol, n in amounts.items():\n"
        "        totals = {t + q * n for t in totals for q in oxidation_states(symbol)}\n"
        "    return any(abs(t) < 1e-9 for t in totals)\n\n\n"
        "count = 0\n"
        "for A in A_SITE:\n"
        "    for B in B_SITE:\n"
        "        if is_charge_neutral(A + B + 'O3'):\n"
        "            count += 1\n"
        "n_neutral_abo3 = count\n",
        "the reachable total charges built element by element, a counting loop",
    ),
    Answer(
        "smact",
        "def is_charge_neutral(formula):\n"
        "    comp = Composition(formula)\n"
        "    symbols = [el.symbol for el in comp.elements]\n"
        "    stoichs = [(int(comp[s]),) for s in symbols]\n"
        "    for charges in itertools.product(*[oxidation_states(s) for s in symbols]):\n"
        "        if smact.neutral_ratios(charges, stoichs=stoichs):\n"
        "            return True\n"
        "    return False\n\n\n"
        "n_neutral_abo3 = len([1 for A, B in itertools.product(A_SITE, B_SITE) if is_charge_neutral(f'{A}{B}O3')])\n",
        "SMACT's own neutral_ratios for each choice of charges, itertools.product over the sites",
    ),
]

WRONG_ANSWERS = [
    WrongAnswer(
        "fluorite",
        "def build_fluorite(A, X, a):\n"
        "    return Structure.from_spacegroup('F-43m', Lattice.cubic(a), [A, X], [[0, 0, 0], [0.25, 0.25, 0.25]])",
        "test_fluorite",
        "(1/4, 1/4, 1/4) in F-43m is 4c, not 8c: zinc blende AX instead of fluorite AX2",
    ),
    WrongAnswer(
        "fluorite",
        "def build_fluorite(A, X, a):\n"
        "    return Structure(Lattice.cubic(a), [A, X], [[0, 0, 0], [0.25, 0.25, 0.25]])",
        "test_fluorite",
        "only the two representative atoms, the symmetry operations never applied",
    ),
    WrongAnswer(
        "fluorite",
        "def build_fluorite(A, X, a):\n"
        "    return Structure.from_spacegroup('Fm-3m', Lattice.cubic(a), [X, A], [[0, 0, 0], [0.25, 0.25, 0.25]])",
        "test_fluorite",
        "species listed in the wrong order: the anti-fluorite A2X (the Li2O structure)",
    ),
    WrongAnswer(
        "fluorite",
        "def build_fluorite(A, X, a):\n"
        "    cell = Structure.from_spacegroup('Fm-3m', Lattice.cubic(a), [A, X], [[0, 0, 0], [0.25, 0.25, 0.25]])\n"
        "    return cell.get_primitive_structure()\n\n\n"
        "caf2 = build_fluorite('Ca', 'F', 5.463)",
        "test_fluorite",
        "the primitive cell (3 atoms) instead of the conventional cubic cell asked for",
        rebinds=True,
    ),
    WrongAnswer(
        "density",
        "def density_g_cm3(structure):\n    return float(structure.composition.weight) / structure.volume",
        "test_density",
        "u per cubic angstrom reported as g/cm^3 (no Avogadro, no unit conversion)",
    ),
    WrongAnswer(
        "density",
        "def density_g_cm3(structure):\n"
        "    mass = Composition(structure.composition.reduced_formula).weight\n"
        "    return float(mass) / constants.N_A / (structure.volume * 1e-24)",
        "test_density",
        "mass of one formula unit over the volume of a cell holding Z of them",
    ),
    WrongAnswer(
        "density",
        "def density_g_cm3(structure):\n"
        "    return float(structure.composition.weight) / constants.N_A / (structure.volume * 1e-8)",
        "test_density",
        "angstrom to cm factor not cubed",
    ),
    WrongAnswer(
        "density",
        "def density_g_cm3(structure):\n"
        "    mass = Composition(structure.composition.reduced_formula).weight\n"
        "    return float(mass) / constants.N_A / (structure.volume * 1e-24)\n\n\n"
        "# a supercell must have the same density: check it against pymatgen's\n"
        "nacl.make_supercell([2, 1, 1])\nsrtio3.make_supercell([1, 1, 2])\n"
        "print(density_g_cm3(nacl), nacl.density, density_g_cm3(srtio3), srtio3.density)",
        "test_density",
        "one formula unit's mass over the cell; and the lab's nacl and srtio3 turned into supercells in place",
        rebinds=True,
    ),
    WrongAnswer(
        "neighbours",
        NEIGHBOURS_HEADER + "    d = np.linalg.norm(structure.cart_coords - structure.cart_coords[index], axis=1)\n"
        "    d = d[d > 0]\n"
        "    d_nn = d.min()\n"
        "    return float(d_nn), int(np.sum(d <= (1 + tol) * d_nn))",
        "test_neighbours",
        "periodic images ignored: only atoms inside the cell are neighbours",
    ),
    WrongAnswer(
        "neighbours",
        NEIGHBOURS_HEADER + "    d = np.delete(structure.distance_matrix[index], index)\n"
        "    d_nn = d.min()\n"
        "    return float(d_nn), int(np.sum(d <= (1 + tol) * d_nn))",
        "test_neighbours",
        "minimum-image distance matrix: each atom counted once although several of its images are neighbours",
    ),
    WrongAnswer(
        "neighbours",
        NEIGHBOURS_HEADER + "    radius = min(structure.lattice.abc)  # the hint: no nearest neighbour is further away\n"
        "    d = np.array([n.nn_distance for n in structure.get_neighbors(structure[index], radius + 1e-6)])\n"
        "    d_nn = d.min()\n"
        "    return float(d_nn), int(np.sum(d <= (1 + tol) * d_nn + 1e-8))",
        "test_neighbours",
        "searched only within the shortest cell edge: neighbours between it and (1 + tol) d_nn are missed",
    ),
    WrongAnswer(
        "neighbours",
        NEIGHBOURS_HEADER + "    d = np.array([n.nn_distance for n in structure.get_neighbors(structure[index], 4.0)])\n"
        "    d_nn = d.min()\n"
        "    return float(d_nn), int(np.sum(d <= (1 + tol) * d_nn + 1e-8))\n\n\n"
        "nacl.make_supercell([2, 2, 2])  # a bigger crystal, so that the neighbours are in it",
        "test_neighbours",
        "a fixed 4 Å search radius (nothing found in potassium); and the lab's nacl made a supercell in place",
        rebinds=True,
    ),
    WrongAnswer(
        "composition",
        FRACTIONAL.replace("amount / composition.num_atoms", "amount") + ONE_HOT + ANSWERS,
        "test_composition",
        "atom counts instead of fractions: Sr2Ti2O6 and SrTiO3 come out different",
    ),
    WrongAnswer(
        "composition",
        FRACTIONAL + "def one_hot_vector(formula):\n    return fractional_vector(formula)\n\n" + ANSWERS,
        "test_composition",
        "one-hot confused with fractional",
        rebinds=True,
    ),
    WrongAnswer(
        "composition",
        FRACTIONAL + ONE_HOT + ANSWERS.replace("'fractional'", "'both'"),
        "test_composition",
        "believing the one-hot vector sees stoichiometry",
    ),
    WrongAnswer(
        "composition",
        FRACTIONAL + ONE_HOT + ANSWERS.replace("'neither'", "'fractional'"),
        "test_composition",
        "believing a composition vector can tell polymorphs apart",
    ),
    WrongAnswer(
        "coulomb",
        COULOMB.format(distances="structure.distance_matrix.copy()", diagonal="0.5 * Z**2.4"),
        "test_coulomb",
        "distances left in angstrom instead of bohr",
        rebinds=True,
    ),
    WrongAnswer(
        "coulomb",
        COULOMB.format(
            distances="np.linalg.norm(structure.cart_coords[:, None] - structure.cart_coords[None, :], axis=-1) "
            "/ BOHR_IN_ANGSTROM",
            diagonal="0.5 * Z**2.4",
        ),
        "test_coulomb",
        "plain Cartesian distances, no periodic images: the matrix changes when the origin moves",
    ),
    WrongAnswer(
        "coulomb",
        COULOMB.format(distances="structure.distance_matrix / BOHR_IN_ANGSTROM", diagonal="0.0"),
        "test_coulomb",
        "diagonal 0.5 Z^2.4 left out",
    ),
    WrongAnswer(
        "coulomb",
        COULOMB.format(distances="structure.distance_matrix / BOHR_IN_ANGSTROM", diagonal="Z**2"),
        "test_coulomb",
        "diagonal Z^2 instead of 0.5 Z^2.4",
    ),
    WrongAnswer(
        "eigen",
        "def eigen_descriptor(M, size):\n"
        "    eigenvalues = np.linalg.eigvals(M)\n"
        "    return np.concatenate([eigenvalues, np.zeros(size - len(eigenvalues))])",
        "test_eigen",
        "eigenvalues left unsorted: the order depends on the order of the atoms",
    ),
    WrongAnswer(
        "eigen",
        "def eigen_descriptor(M, size):\n"
        "    eigenvalues = np.linalg.eigvalsh(M)\n"
        "    return np.concatenate([eigenvalues, np.zeros(size - len(eigenvalues))])",
        "test_eigen",
        "eigvalsh's ascending order kept: the largest eigenvalues of differently sized cells do not line up",
    ),
    WrongAnswer(
        "eigen",
        "def eigen_descriptor(M, size):\n"
        "    padded = np.concatenate([np.linalg.eigvalsh(M), np.zeros(size - len(M))])\n"
        "    return np.sort(padded)[::-1]",
        "test_eigen",
        "padded before sorting: the zeros land among the eigenvalues, before the negative ones",
    ),
    WrongAnswer(
        "eigen",
        "def eigen_descriptor(M, size):\n"
        "    singular = np.linalg.svd(M, compute_uv=False)  # already largest first\n"
        "    return np.concatenate([singular, np.zeros(size - len(singular))])",
        "test_eigen",
        "singular values taken for eigenvalues: the negative eigenvalues come out positive",
        rebinds=True,
    ),
    WrongAnswer(
        "smact",
        "def is_charge_neutral(formula):\n"
        "    amounts = Composition(formula).get_el_amt_dict()\n"
        "    cations = [s for s in amounts if s != 'O']\n"
        "    for charges in itertools.product(*(oxidation_states(s) for s in cations)):\n"
        "        if sum(q * amounts[s] for q, s in zip(charges, cations)) == 0:\n"
        "            return True\n"
        "    return False" + SCREEN,
        "test_smact",
        "oxygen's charge forgotten: the cation charges alone must cancel",
    ),
    WrongAnswer(
        "smact",
        "def is_charge_neutral(formula):\n"
        "    symbols = list(Composition(formula).get_el_amt_dict())\n"
        "    return any(sum(charges) == 0 for charges in itertools.product(*(oxidation_states(s) for s in symbols)))"
        + SCREEN,
        "test_smact",
        "stoichiometry ignored: one charge per element, not per atom",
    ),
    WrongAnswer(
        "smact",
        "def is_charge_neutral(formula):\n"
        "    amounts = Composition(formula).get_el_amt_dict()\n"
        "    return sum(oxidation_states(s)[0] * n for s, n in amounts.items()) == 0" + SCREEN,
        "test_smact",
        "only the first listed oxidation state of each element tried",
    ),
    WrongAnswer(
        "smact",
        NEUTRAL + "\n\nn_neutral_abo3 = sum(is_charge_neutral(f'{A}{B}O3') for A, B in zip(A_SITE, B_SITE))\n",
        "test_smact",
        "the screen run over zip(A_SITE, B_SITE): 14 pairs, not every A with every B",
        rebinds=True,
    ),
]
