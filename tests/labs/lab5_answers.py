"""Lab 5 (classical learning: metal or insulator?): correct alternatives and plausible mistakes per task."""

from labharness import Answer, WrongAnswer

_TOP_FEATURES = (
    "\n\ndef top_features(model, names, k):\n"
    "    order = np.argsort(model.feature_importances_)[::-1]\n"
    "    return [names[i] for i in order[:k]]"
)
_TRAIN_FOREST = (
    "def train_forest(X, y):\n    return RandomForestClassifier(n_estimators=50, random_state=0).fit(X, y)\n\n"
)

CORRECT_ANSWERS = [
    Answer(
        "mott",
        "def mott_seebeck_uV_K(T, E_F):\n"
        "    kT = 8.617e-5 * np.asarray(T)   # eV, k_B to four figures\n"
        "    return (np.pi**2 / 2) * 86.17 * kT / np.asarray(E_F)   # k_B/e = 86.17 µV/K, as the lab says",
        "the lab's own four-figure constants k_B/e = 86.17 µV/K and k_B = 8.617e-5 eV/K",
    ),
    Answer(
        "mott",
        "from scipy.constants import e, k\n\n"
        "def mott_seebeck_uV_K(T, E_F):\n"
        "    E_F_joule = np.asarray(E_F, dtype=float) * e\n"
        "    S = np.pi**2 / 2 * (k / e) * (k * np.asarray(T, dtype=float) / E_F_joule)\n"
        "    return S * 1e6",
        "SI throughout: E_F converted to joules, the result from V/K to µV/K",
    ),
    Answer(
        "standardise",
        "def standardise(X_train, X_test):\n"
        "    train, test = np.asarray(X_train, dtype=float), np.asarray(X_test, dtype=float)\n"
        "    mu = train.mean(axis=0)\n"
        "    sd = train.std(axis=0)\n"
        "    return (train - mu) / sd, (test - mu) / sd",
        "numpy by hand (population standard deviation), no scikit-learn",
    ),
    Answer(
        "standardise",
        "def standardise(X_train, X_test):\n"
        "    scaler = StandardScaler()\n"
        "    scaled_train = scaler.fit_transform(np.array(X_train))\n"
        "    scaled_test = scaler.transform(np.array(X_test))\n"
        "    return scaled_train, scaled_test",
        "fit_transform on the training set, then transform on the test set",
    ),
    Answer(
        "pca",
        "def pca_explained_variance(X):\n"
        "    A = np.asarray(X, dtype=float)\n"
        "    Z = (A - A.mean(axis=0)) / A.std(axis=0)\n"
        "    eigenvalues = np.linalg.eigvalsh(np.cov(Z, rowvar=False))[::-1]\n"
        "    return eigenvalues / eigenvalues.sum()\n\n"
        "total, n_components_85, n_components_95 = 0.0, None, None\n"
        "for number, share in enumerate(pca_explained_variance(X_train), start=1):\n"
        "    total += share\n"
        "    if n_components_85 is None and total >= 0.85:\n"
        "        n_components_85 = number\n"
        "    if n_components_95 is None and total >= 0.95:\n"
        "        n_components_95 = number",
        "eigenvalues of the covariance matrix in numpy, counts by a loop",
    ),
    Answer(
        "pca",
        "def pca_explained_variance(X):\n"
        "    Z = StandardScaler().fit_transform(X)\n"
        "    singular = np.linalg.svd(Z - Z.mean(axis=0), compute_uv=False)\n"
        "    return singular**2 / np.sum(singular**2)\n\n"
        "Z_tr = StandardScaler().fit_transform(X_train)\n"
        "n_components_85 = PCA(n_components=0.85).fit(Z_tr).n_components_\n"
        "n_components_95 = PCA(n_components=0.95).fit(Z_tr).n_components_",
        "singular values; counts from PCA(n_components=fraction)",
    ),
    Answer(
        "kmeans",
        "Z = (X_train - X_train.mean()) / X_train.std()   # pandas: ddof=1, a common factor that k-means ignores\n"
        "km = KMeans(n_clusters=2, n_init=10, random_state=0)\n"
        "km.fit(Z)\n"
        "kmeans_ari = adjusted_rand_score(km.labels_, y_train)",
        "pandas standardisation with the sample standard deviation, arguments of the ARI swapped",
    ),
    Answer(
        "kmeans",
        "from sklearn.pipeline import make_pipeline\n\n"
        "clustering = make_pipeline(StandardScaler(), KMeans(n_clusters=2, n_init=10, random_state=0))\n"
        "cluster_of = clustering.fit_predict(X_train)\n"
        "kmeans_ari = float(adjusted_rand_score(y_train, cluster_of))",
        "a scaler-and-k-means pipeline",
    ),
    Answer(
        "depth",
        "scores = []\n"
        "for depth in depths:\n"
        "    fold_scores = []\n"
        "    for fit_rows, held_rows in cv.split(X_train, y_train):\n"
        "        model = DecisionTreeClassifier(max_depth=depth, random_state=0)\n"
        "        model.fit(X_train.iloc[fit_rows], y_train[fit_rows])\n"
        "        fold_scores.append(model.score(X_train.iloc[held_rows], y_train[held_rows]))\n"
        "    scores.append(np.mean(fold_scores))\n"
        "cv_scores = np.array(scores)\n"
        "best_depth = depths[cv_scores.argmax()]",
        "the folds looped over by hand",
    ),
    Answer(
        "depth",
        "from sklearn.model_selection import GridSearchCV\n\n"
        "search = GridSearchCV(DecisionTreeClassifier(random_state=0), {'max_depth': list(depths)}, cv=cv)\n"
        "search.fit(X_train, y_train)\n"
        "cv_scores = np.asarray(search.cv_results_['mean_test_score'])\n"
        "best_depth = search.best_params_['max_depth']",
        "GridSearchCV over the depths",
    ),
    Answer(
        "forest",
        "def train_forest(X, y):\n"
        "    model = RandomForestClassifier(random_state=0, n_estimators=50)\n"
        "    model.fit(X, y)\n"
        "    return model\n\n"
        "def top_features(model, names, k):\n"
        "    ranked = sorted(range(len(names)), key=lambda i: model.feature_importances_[i], reverse=True)\n"
        "    return [names[i] for i in ranked][:k]",
        "sorted() with a key instead of argsort",
    ),
    Answer(
        "forest",
        "def train_forest(X, y):\n"
        "    settings = {'n_estimators': 50, 'random_state': 0}\n"
        "    return RandomForestClassifier(**settings).fit(X, y)\n\n"
        "def top_features(model, names, k):\n"
        "    return pd.Series(model.feature_importances_, index=list(names)).nlargest(k).index.tolist()",
        "pandas nlargest on a Series of importances",
    ),
    Answer(
        "precision_recall",
        "def precision_recall(y_true, y_pred):\n"
        "    tp = fp = fn = 0\n"
        "    for truth, guess in zip(y_true, y_pred):\n"
        "        if guess == 1 and truth == 1:\n"
        "            tp += 1\n"
        "        elif guess == 1:\n"
        "            fp += 1\n"
        "        elif truth == 1:\n"
        "            fn += 1\n"
        "    return tp / (tp + fp), tp / (tp + fn)",
        "a plain loop over the pairs",
    ),
    Answer(
        "precision_recall",
        "def precision_recall(y_true, y_pred):\n"
        "    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)\n"
        "    precision = np.mean(y_true[y_pred == 1] == 1)\n"
        "    recall = np.mean(y_pred[y_true == 1] == 1)\n"
        "    return precision, recall",
        "fractions of masked arrays instead of counts",
    ),
    Answer(
        "predict",
        "def metal_probability(model, formula):\n"
        "    probabilities = model.predict_proba(featurise([formula]))[0]\n"
        "    return float(probabilities[np.flatnonzero(model.classes_ == 1)[0]])",
        "the metal column found with flatnonzero",
    ),
    Answer(
        "predict",
        "def metal_probability(model, formula):\n"
        "    row = pd.DataFrame([magpie.featurize(Composition(formula))], columns=FEATURE_NAMES)\n"
        "    by_class = dict(zip(model.classes_, model.predict_proba(row)[0]))\n"
        "    return float(by_class[1])",
        "features made with the magpie featurizer directly, probabilities looked up by class",
    ),
]

WRONG_ANSWERS = [
    WrongAnswer(
        "mott",
        "def mott_seebeck_uV_K(T, E_F):\n"
        "    return np.pi**2 / 2 * (constants.k / constants.e) * (constants.k * T / E_F) * 1e6",
        "test_mott",
        "k_B in J/K in k_B T / E_F with E_F in eV",
    ),
    WrongAnswer(
        "mott",
        "def mott_seebeck_uV_K(T, E_F):\n    return np.pi**2 / 2 * k_B * (k_B * np.asarray(T) / E_F)",
        "test_mott",
        "result left in V/K instead of µV/K",
    ),
    WrongAnswer(
        "mott",
        "def mott_seebeck_uV_K(T, E_F):\n    return np.pi**2 / 3 * k_B * 1e6 * (k_B * np.asarray(T) / E_F)",
        "test_mott",
        "general Mott prefactor pi^2/3 without the free-electron d ln(sigma)/dE = 3 / (2 E_F)",
    ),
    WrongAnswer(
        "mott",
        "k_B = constants.k   # J/K\n\n"
        "def mott_seebeck_uV_K(T, E_F):\n"
        "    return np.pi**2 / 2 * k_B / constants.e * 1e6 * (0.026 / np.asarray(E_F)) + 0 * np.asarray(T)",
        "test_mott",
        "k_B T taken as 0.026 eV whatever T is (and k_B rebound to J/K)",
        rebinds=True,
    ),
    WrongAnswer(
        "standardise",
        "def standardise(X_train, X_test):\n"
        "    scaler = StandardScaler().fit(X_test)\n"
        "    return scaler.transform(X_train), scaler.transform(X_test)\n\n"
        "X_train, X_test = standardise(X_train, X_test)",
        "test_standardise",
        "scaler fitted on the test set, and the lab's X_train, X_test replaced by the scaled arrays",
        rebinds=True,
    ),
    WrongAnswer(
        "standardise",
        "def standardise(X_train, X_test):\n"
        "    return StandardScaler().fit_transform(X_train), StandardScaler().fit_transform(X_test)",
        "test_standardise",
        "a separate scaler fitted on each set: the test set is scaled with its own statistics",
    ),
    WrongAnswer(
        "standardise",
        "def standardise(X_train, X_test):\n"
        "    scaler = StandardScaler().fit(np.vstack([X_train, X_test]))\n"
        "    return scaler.transform(X_train), scaler.transform(X_test)",
        "test_standardise",
        "scaler fitted on training and test data together (leakage)",
    ),
    WrongAnswer(
        "standardise",
        "def standardise(X_train, X_test):\n"
        "    scaler = StandardScaler(copy=False).fit(X_train)\n"
        "    return scaler.transform(X_train), scaler.transform(X_test)",
        "test_standardise",
        "StandardScaler(copy=False): right numbers, but the caller's arrays are scaled in place",
    ),
    WrongAnswer(
        "pca",
        "def pca_explained_variance(X):\n    return PCA().fit(X).explained_variance_ratio_\n\n"
        "_c = np.cumsum(pca_explained_variance(X_train))\n"
        "n_components_85, n_components_95 = int(np.argmax(_c >= 0.85)) + 1, int(np.argmax(_c >= 0.95)) + 1",
        "test_pca",
        "PCA without scaling: the features with the largest units dominate",
    ),
    WrongAnswer(
        "pca",
        "def pca_explained_variance(X):\n"
        "    return PCA().fit(StandardScaler().fit_transform(X)).explained_variance_ratio_\n\n"
        "_c = np.cumsum(pca_explained_variance(X_train))\n"
        "n_components_85, n_components_95 = int(np.argmax(_c >= 0.85)), int(np.argmax(_c >= 0.95))",
        "test_pca",
        "component counts off by one (an index, not a number of components)",
    ),
    WrongAnswer(
        "pca",
        "def pca_explained_variance(X):\n"
        "    return PCA().fit(StandardScaler().fit_transform(X)).explained_variance_ratio_\n\n"
        "_c = np.cumsum(pca_explained_variance(X))\n"
        "n_components_85, n_components_95 = int(np.argmax(_c >= 0.85)) + 1, int(np.argmax(_c >= 0.95)) + 1",
        "test_pca",
        "counts from all the data, test set included",
    ),
    WrongAnswer(
        "pca",
        "def pca_explained_variance(X):\n"
        "    X -= X.mean(axis=0)\n"
        "    X /= X.std(axis=0)\n"
        "    return PCA().fit(X).explained_variance_ratio_\n\n"
        "_c = np.cumsum(pca_explained_variance(X_train))\n"
        "n_components_85, n_components_95 = int(np.argmax(_c >= 0.85)) + 1, int(np.argmax(_c >= 0.95)) + 1",
        "test_pca",
        "standardises in place: right numbers, but the caller's X (here the lab's X_train) is overwritten",
        rebinds=True,
    ),
    WrongAnswer(
        "kmeans",
        "clusters = KMeans(n_clusters=2, n_init=10, random_state=0).fit_predict(X_train)\n"
        "kmeans_ari = adjusted_rand_score(y_train, clusters)",
        "test_kmeans",
        "k-means on unscaled features",
    ),
    WrongAnswer(
        "kmeans",
        "clusters = KMeans(n_clusters=2, n_init=10, random_state=0).fit_predict(StandardScaler().fit_transform(X_train))\n"
        "kmeans_ari = float(np.mean(clusters == y_train))",
        "test_kmeans",
        "raw agreement of cluster numbers with labels instead of the adjusted Rand index",
    ),
    WrongAnswer(
        "kmeans",
        "X_train = StandardScaler().fit(X).transform(X_train)\n"
        "clusters = KMeans(n_clusters=2, n_init=10, random_state=0).fit_predict(X_train)\n"
        "kmeans_ari = adjusted_rand_score(y_train, clusters)",
        "test_kmeans",
        "scaler fitted on all data (the ARI moves by 0.003), and X_train rebound to the scaled array",
        rebinds=True,
    ),
    WrongAnswer(
        "kmeans",
        "clusters = KMeans(n_clusters=2, n_init=10, random_state=0).fit_predict(StandardScaler().fit_transform(X_test))\n"
        "kmeans_ari = adjusted_rand_score(y_test, clusters)",
        "test_kmeans",
        "clustered the test set instead of the training set",
    ),
    WrongAnswer(
        "depth",
        "cv_scores = np.array([DecisionTreeClassifier(max_depth=d, random_state=0).fit(X_train, y_train)"
        ".score(X_train, y_train) for d in depths])\n"
        "best_depth = int(depths[np.argmax(cv_scores)])",
        "test_depth",
        "depth chosen by training accuracy",
    ),
    WrongAnswer(
        "depth",
        "cv_scores = np.array([cross_val_score(DecisionTreeClassifier(max_depth=d, random_state=0), X, y, cv=cv)"
        ".mean() for d in depths])\n"
        "best_depth = int(depths[np.argmax(cv_scores)])",
        "test_depth",
        "cross-validation over all data, test set included",
    ),
    WrongAnswer(
        "depth",
        "cv_scores = np.array([cross_val_score(DecisionTreeClassifier(max_depth=d, random_state=0), X_train, "
        "y_train, cv=cv).mean() for d in depths])\n"
        "best_depth = int(np.argmax(cv_scores))",
        "test_depth",
        "index of the best score taken as the depth (off by one)",
    ),
    WrongAnswer(
        "depth",
        "cv = 5\n"
        "cv_scores = np.array([cross_val_score(DecisionTreeClassifier(max_depth=d, random_state=0), X_train, "
        "y_train, cv=cv).mean() for d in depths])\n"
        "best_depth = int(depths[np.argmax(cv_scores)])",
        "test_depth",
        "the lab's splitter replaced by cv=5 (unshuffled folds: up to 0.015 off)",
        rebinds=True,
    ),
    WrongAnswer(
        "forest",
        "def train_forest(X, y):\n    return RandomForestClassifier(n_estimators=50).fit(X, y)" + _TOP_FEATURES,
        "test_forest",
        "unseeded forest: a different model on every run",
    ),
    WrongAnswer(
        "forest",
        _TRAIN_FOREST + "def top_features(model, names, k):\n"
        "    return [names[i] for i in np.argsort(model.feature_importances_)[:k]]",
        "test_forest",
        "importances sorted ascending: the least important features",
    ),
    WrongAnswer(
        "forest",
        "def train_forest(X, y):\n    return RandomForestClassifier(random_state=0).fit(X, y)" + _TOP_FEATURES
        + "\n\nforest = train_forest(X_train, y_train)",
        "test_forest",
        "the default 100 trees instead of 50 (and the lab's forest made with it)",
        rebinds=True,
    ),
    WrongAnswer(
        "forest",
        _TRAIN_FOREST + "def top_features(model, names, k):\n"
        "    return list(np.argsort(model.feature_importances_)[::-1][:k])",
        "test_forest",
        "column numbers returned instead of the feature names",
    ),
    WrongAnswer(
        "precision_recall",
        "def precision_recall(y_true, y_pred):\n"
        "    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)\n"
        "    tp = np.sum((y_pred == 1) & (y_true == 1))\n"
        "    return float(tp / np.sum(y_true == 1)), float(tp / np.sum(y_pred == 1))",
        "test_precision_recall",
        "precision and recall swapped",
    ),
    WrongAnswer(
        "precision_recall",
        "def precision_recall(y_true, y_pred):\n"
        "    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)\n"
        "    tp = np.sum((y_pred == 0) & (y_true == 0))\n"
        "    return float(tp / np.sum(y_pred == 0)), float(tp / np.sum(y_true == 0))",
        "test_precision_recall",
        "insulators taken as the positive class",
    ),
    WrongAnswer(
        "precision_recall",
        "def precision_recall(y_true, y_pred):\n"
        "    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)\n"
        "    tp = np.sum((y_pred == 1) & (y_true == 1))\n"
        "    return float(tp / len(y_pred)), float(tp / np.sum(y_true == 1))",
        "test_precision_recall",
        "precision divided by all predictions instead of the predicted positives",
    ),
    WrongAnswer(
        "precision_recall",
        "y_test = np.asarray(y_test)\n\n"
        "def precision_recall(y_true, y_pred):\n"
        "    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)\n"
        "    tp = int(np.sum((y_pred == 1) & (y_true == 1)))\n"
        "    fp = int(np.sum((y_pred == 1) & (y_true == 0)))\n"
        "    fn = int(np.sum((y_pred == 0) & (y_true == 1)))\n"
        "    return tp // (tp + fp), tp // (tp + fn)",
        "test_precision_recall",
        "integer division: 0 unless perfect",
        rebinds=True,
    ),
    WrongAnswer(
        "predict",
        "def metal_probability(model, formula):\n    return float(model.predict_proba(featurise([formula]))[0, 0])",
        "test_predict",
        "first column of predict_proba: the probability of class 0, insulator",
    ),
    WrongAnswer(
        "predict",
        "def metal_probability(model, formula):\n    return float(model.predict(featurise([formula]))[0])",
        "test_predict",
        "predicted label returned instead of the probability",
    ),
    WrongAnswer(
        "predict",
        "def metal_probability(model, formula):\n    return float(model.predict_proba(featurise([formula]))[0].max())",
        "test_predict",
        "probability of the predicted class, whichever it is",
    ),
    WrongAnswer(
        "predict",
        "def metal_probability(model, formula):\n    return float(model.predict_proba(featurise(formula))[0, 1])\n\n"
        "p_TiN = metal_probability(forest, 'TiN')",
        "test_predict",
        "the formula passed as a string, not a list: featurise reads it letter by letter",
        rebinds=True,
    ),
]
