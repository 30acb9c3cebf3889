"""Plausible mistakes in lab 5 (classical learning: metal or insulator?), one or more per graded test."""

from labharness import Answer, WrongAnswer

_TOP_FEATURES = (
    "\n\ndef top_features(model, names, k):\n"
    "    order = np.argsort(model.feature_importances_)[::-1]\n"
    "    return [names[i] for i in order[:k]]"
)
_TRAIN_FOREST = (
    "def train_forest(X, y):\n    return RandomForestClassifier(n_estimators=50, random_state=0).fit(X, y)\n\n"
)

CORRECT_ANSWERS: list[Answer] = []  # correct alternatives, written differently from the solution

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
        "standardise",
        "def standardise(X_train, X_test):\n"
        "    scaler = StandardScaler().fit(X_test)\n"
        "    return scaler.transform(X_train), scaler.transform(X_test)",
        "test_standardise",
        "scaler fitted on the test set",
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
        "pca",
        "def pca_explained_variance(X):\n    return PCA().fit(X).explained_variance_ratio_\n\n"
        "n_components_90 = int(np.argmax(np.cumsum(pca_explained_variance(X_train)) >= 0.9)) + 1",
        "test_pca",
        "PCA without scaling: the features with the largest units dominate",
    ),
    WrongAnswer(
        "pca",
        "def pca_explained_variance(X):\n"
        "    return PCA().fit(StandardScaler().fit_transform(X)).explained_variance_ratio_\n\n"
        "n_components_90 = int(np.argmax(np.cumsum(pca_explained_variance(X_train)) >= 0.9))",
        "test_pca",
        "component count off by one (an index, not a number of components)",
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
        "Z_train, _ = standardise(X_train, X_test)\n"
        "clusters = KMeans(n_clusters=2, n_init=10, random_state=0).fit_predict(Z_train)\n"
        "kmeans_ari = float(np.mean(clusters == y_train))",
        "test_kmeans",
        "raw agreement of cluster numbers with labels instead of the adjusted Rand index",
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
]
