"""Plausible mistakes in lab 2 (melting temperature from cohesive energy), one or more per graded test."""

from labharness import Answer, WrongAnswer


def error_curve(degrees="range(1, 11)", fit_on="X_train, y_train", metric="root_mean_squared_error"):
    """Task 4's loop over degrees, with one of its parts done wrong."""
    return (
        "rows = []\n"
        f"for degree in {degrees}:\n"
        f"    fitted = make_model(degree).fit({fit_on})\n"
        f"    rows.append([{metric}(y_train, fitted.predict(X_train)), {metric}(y_test, fitted.predict(X_test))])\n"
        f"errors = pd.DataFrame(rows, index={degrees}, columns=['train_rmse', 'test_rmse'])"
    )


def cv_curve(data="X_train, y_train"):
    """Task 5's cross-validation loop over degrees 1 to 10 on the given data, ready for a choice of degree."""
    return (
        "cv_rmse = pd.Series(dtype=float)\n"
        "for degree in range(1, 11):\n"
        f"    fold_scores = cross_val_score(make_model(degree), {data}, cv=folds, scoring='neg_root_mean_squared_error')\n"
        "    cv_rmse[degree] = -fold_scores.mean()\n"
    )


CORRECT_ANSWERS: list[Answer] = []  # correct alternatives, written differently from the solution

WRONG_ANSWERS = [
    WrongAnswer(
        "ratio",
        "ratio = metals['E_coh_eV'] / (constants.k * metals['T_m_K'])\nmedian_ratio = float(ratio.median())",
        "test_ratio",
        "Boltzmann's constant in J/K with the energy in eV",
    ),
    WrongAnswer(
        "ratio",
        "ratio = metals['E_coh_eV'] / (k_B * metals['T_m_K'])\nmedian_ratio = float(ratio.mean())",
        "test_ratio",
        "mean instead of median: the low-melting outliers pull it up",
    ),
    WrongAnswer(
        "baseline",
        "baseline_prediction = np.full(len(y_test), y_test.mean())\n"
        "baseline_mae = float(mean_absolute_error(y_test, baseline_prediction))\n"
        "baseline_rmse = float(root_mean_squared_error(y_test, baseline_prediction))",
        "test_baseline",
        "test-set mean used as the baseline prediction (leaks the test targets)",
    ),
    WrongAnswer(
        "baseline",
        "baseline_prediction = np.full(len(y_train), y_train.mean())\n"
        "baseline_mae = float(mean_absolute_error(y_train, baseline_prediction))\n"
        "baseline_rmse = float(root_mean_squared_error(y_train, baseline_prediction))",
        "test_baseline",
        "baseline evaluated on the training data",
    ),
    WrongAnswer(
        "linear",
        "linear = LinearRegression().fit(metals[['E_coh_eV']], metals['T_m_K'])\n"
        "slope_K_per_eV = float(linear.coef_[0])\n"
        "linear_test_r2 = float(r2_score(y_test, linear.predict(X_test)))",
        "test_linear",
        "line fitted on all metals, test set included",
    ),
    WrongAnswer(
        "linear",
        "linear = LinearRegression().fit(X_train, y_train)\n"
        "slope_K_per_eV = float(linear.coef_[0])\n"
        "linear_test_r2 = float(r2_score(y_train, linear.predict(X_train)))",
        "test_linear",
        "R^2 reported on the training set",
    ),
    WrongAnswer(
        "linear",
        "linear = LinearRegression().fit(X_train, y_train)\n"
        "slope_K_per_eV = float(linear.coef_[0])\n"
        "linear_test_r2 = float(r2_score(linear.predict(X_test), y_test))",
        "test_linear",
        "r2_score called as (y_pred, y_true)",
    ),
    WrongAnswer(
        "curve",
        error_curve(degrees="range(1, 10)"),
        "test_curve",
        "off by one: range(1, 10) stops at degree 9",
    ),
    WrongAnswer(
        "curve",
        error_curve(fit_on="metals[['E_coh_eV']], metals['T_m_K']"),
        "test_curve",
        "each polynomial fitted on all metals, so the 'test' error is measured on fitted data",
    ),
    WrongAnswer(
        "curve",
        "from sklearn.metrics import mean_squared_error\n" + error_curve(metric="mean_squared_error"),
        "test_curve",
        "mean squared error (K^2) reported as RMSE",
    ),
    WrongAnswer(
        "cv_degree",
        cv_curve() + "best_degree = int(errors['train_rmse'].idxmin())",
        "test_cv_degree",
        "degree chosen by the lowest training error",
    ),
    WrongAnswer(
        "cv_degree",
        cv_curve() + "best_degree = int(errors['test_rmse'].idxmin())",
        "test_cv_degree",
        "degree chosen with the test set",
    ),
    WrongAnswer(
        "cv_degree",
        cv_curve() + "best_degree = int(np.argmin(cv_rmse.to_numpy()))",
        "test_cv_degree",
        "np.argmin position (from 0) taken as the degree (from 1)",
    ),
    WrongAnswer(
        "cv_degree",
        cv_curve(data="metals[['E_coh_eV']], metals['T_m_K']") + "best_degree = int(cv_rmse.idxmin())",
        "test_cv_degree",
        "cross-validation over all metals, test set included",
    ),
    WrongAnswer(
        "scores",
        "def test_set_scores(degree):\n"
        "    predicted = make_model(degree).fit(metals[['E_coh_eV']], metals['T_m_K']).predict(X_test)\n"
        "    return {'MAE': mean_absolute_error(y_test, predicted),\n"
        "            'RMSE': root_mean_squared_error(y_test, predicted), 'R2': r2_score(y_test, predicted)}",
        "test_scores",
        "final model refitted on all metals before being 'tested'",
    ),
    WrongAnswer(
        "scores",
        "def test_set_scores(degree):\n"
        "    predicted = make_model(degree).fit(X_train, y_train).predict(X_train)\n"
        "    return {'MAE': mean_absolute_error(y_train, predicted),\n"
        "            'RMSE': root_mean_squared_error(y_train, predicted), 'R2': r2_score(y_train, predicted)}",
        "test_scores",
        "scores measured on the training set",
    ),
    WrongAnswer(
        "scores",
        "def test_set_scores(degree):\n"
        "    predicted = make_model(degree).fit(X_train, y_train).predict(X_test)\n"
        "    return {'MAE': mean_absolute_error(y_test, predicted),\n"
        "            'RMSE': root_mean_squared_error(y_test, predicted), 'R2': r2_score(predicted, y_test)}",
        "test_scores",
        "r2_score called as (y_pred, y_true)",
    ),
    WrongAnswer(
        "verdict",
        "degree_10_is = 'a good fit'\nquote_error_from = 'test'",
        "test_verdict",
        "lowest training error read as the best fit",
    ),
    WrongAnswer(
        "verdict",
        "degree_10_is = 'overfitting'\nquote_error_from = 'cross-validation'",
        "test_verdict",
        "the cross-validation error that chose the degree quoted as if unbiased",
    ),
]
