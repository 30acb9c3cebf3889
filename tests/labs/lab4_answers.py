"""Plausible mistakes in lab 4 (crystal representations), one or more per graded test."""

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

CORRECT_ANSWERS: list[Answer] = []  # correct alternatives, written differently from the solution

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
        "neighbours",
        "def nearest_neighbours(structure, index, tol=0.1):\n"
        "    d = np.linalg.norm(structure.cart_coords - structure.cart_coords[index], axis=1)\n"
        "    d = d[d > 0]\n"
        "    d_nn = d.min()\n"
        "    return float(d_nn), int(np.sum(d <= (1 + tol) * d_nn))",
        "test_neighbours",
        "periodic images ignored: only atoms inside the cell are neighbours",
    ),
    WrongAnswer(
        "neighbours",
        "def nearest_neighbours(structure, index, tol=0.1):\n"
        "    d = np.delete(structure.distance_matrix[index], index)\n"
        "    d_nn = d.min()\n"
        "    return float(d_nn), int(np.sum(d <= (1 + tol) * d_nn))",
        "test_neighbours",
        "minimum-image distance matrix: each atom counted once although several of its images are neighbours",
    ),
    WrongAnswer(
        "neighbours",
        "def nearest_neighbours(structure, index, tol=0.1):\n"
        "    sites = structure.get_sites_in_sphere(structure[index].coords, (1 + tol) * min(structure.lattice.abc))\n"
        "    d = np.array([site.nn_distance for site in sites])\n"
        "    d_nn = d[d > 1e-8].min()\n"
        "    return float(d_nn), int(np.sum(d <= (1 + tol) * d_nn))",
        "test_neighbours",
        "the atom itself counted as its own neighbour: CN one too many",
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
]
