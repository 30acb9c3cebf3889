"""Correct alternatives and plausible mistakes in lab 2 (melting temperature from cohesive energy)."""

from labharness import Answer, WrongAnswer


def error_curve(degrees="range(1, 11)", fit_on="X_train, y_train", metric="root_mean_squared_error", index=None):
    """Task 4's loop over degrees, with one of its parts done wrong."""
    return (
        "rows = []\n"
        f"for degree in {degrees}:\n"
        f"    fitted = make_model(degree).fit({fit_on})\n"
        f"    rows.append([{metric}(y_train, fitted.predict(X_train)), {metric}(y_test, fitted.predict(X_test))])\n"
        f"errors = pd.DataFrame(rows, {'index=' + (index or degrees) + ', ' if index != '' else ''}columns=['train_rmse', 'test_rmse'])"
    )


def cv_curve(data="X_train, y_train"):
    """Task 5's cross-validation loop over degrees 1 to 10 on the given data, ready for a choice of degree."""
    return (
        "cv_rmse = pd.Series(dtype=float)\n"
        "for degree in range(1, 11):\n"
        f"    fold_scores = cross_val_score(make_model(degree), {data}, cv=folds, scoring='neg_root_mean_squared_error')\n"
        "    cv_rmse[degree] = -fold_scores.mean()\n"
    )


CORRECT_ANSWERS = [
    # Task 1: ratio
    Answer(
        "ratio",
        "ratio = pd.Series({name: row['E_coh_eV'] / (k_B * row['T_m_K']) for name, row in metals.iterrows()})\n"
        "median_ratio = float(np.median(ratio))",
        "a loop over the rows, and numpy's median",
    ),
    Answer(
        "ratio",
        "boltzmann_eV = constants.k / constants.e\n"
        "ratio = pd.Series(metals['E_coh_eV'].to_numpy() / boltzmann_eV / metals['T_m_K'].to_numpy(), index=metals.index)\n"
        "median_ratio = ratio.quantile(0.5)",
        "numpy arrays put back into a Series, the median as the 0.5 quantile",
    ),
    Answer(
        "ratio",
        "ratio = metals.eval('E_coh_eV / T_m_K') / 8.617e-5\nmedian_ratio = ratio.median()",
        "DataFrame.eval, k_B typed to four significant figures",
    ),
    # Task 2: baseline
    Answer(
        "baseline",
        "from sklearn.dummy import DummyRegressor\n\n"
        "dummy = DummyRegressor(strategy='mean').fit(X_train, y_train)\n"
        "baseline_mae = mean_absolute_error(y_test, dummy.predict(X_test))\n"
        "baseline_rmse = root_mean_squared_error(y_test, dummy.predict(X_test))",
        "scikit-learn's DummyRegressor",
    ),
    Answer(
        "baseline",
        "miss = y_test.to_numpy() - np.mean(y_train)\n"
        "baseline_mae = float(np.abs(miss).mean())\n"
        "baseline_rmse = float(np.sqrt((miss ** 2).mean()))",
        "the formulas in numpy",
    ),
    Answer(
        "baseline",
        "import math\n\n"
        "guess = sum(y_train) / len(y_train)\n"
        "baseline_mae = sum(abs(t - guess) for t in y_test) / len(y_test)\n"
        "baseline_rmse = math.sqrt(sum((t - guess) ** 2 for t in y_test) / len(y_test))",
        "plain Python loops",
    ),
    # Task 3: linear
    Answer(
        "linear",
        "linear = LinearRegression()\n"
        "linear.fit(X_train.to_numpy(), y_train.to_numpy())\n"
        "slope_K_per_eV = linear.coef_.item()\n"
        "linear_test_r2 = linear.score(X_test.to_numpy(), y_test.to_numpy())",
        "numpy arrays, and the model's own score method for R^2",
    ),
    Answer(
        "linear",
        "linear = LinearRegression().fit(X_train, y_train)\n"
        "predicted = linear.predict(X_test)\n"
        "slope_K_per_eV = float(linear.coef_[0])\n"
        "linear_test_r2 = 1 - ((y_test - predicted) ** 2).sum() / ((y_test - y_test.mean()) ** 2).sum()",
        "R^2 written out with pandas",
    ),
    # Task 4: curve
    Answer(
        "curve",
        "from sklearn.metrics import mean_squared_error\n\n"
        "errors = pd.DataFrame(columns=['train_rmse', 'test_rmse'], dtype=float)\n"
        "for d in range(1, 11):\n"
        "    model = make_model(d)\n"
        "    model.fit(X_train, y_train)\n"
        "    errors.loc[d, 'train_rmse'] = np.sqrt(mean_squared_error(y_train, model.predict(X_train)))\n"
        "    errors.loc[d, 'test_rmse'] = np.sqrt(np.mean((y_test - model.predict(X_test)) ** 2))",
        "rows added one by one with .loc, RMSE as the root of the MSE",
    ),
    Answer(
        "curve",
        "def rmse_of(model, X, y):\n"
        "    return root_mean_squared_error(y, model.predict(X))\n\n\n"
        "fits = {d: make_model(d).fit(X_train, y_train) for d in range(10, 0, -1)}\n"
        "errors = pd.DataFrame({d: {'test_rmse': rmse_of(m, X_test, y_test), 'train_rmse': rmse_of(m, X_train, y_train)}\n"
        "                       for d, m in fits.items()}).T.sort_index()",
        "a dict of fitted models, fitted from degree 10 down, the columns in the other order",
    ),
    Answer(
        "curve",
        "records = []\n"
        "for degree in np.arange(1, 11):\n"
        "    fitted = make_model(int(degree)).fit(X_train, y_train)\n"
        "    records.append({'degree': degree, 'train_rmse': root_mean_squared_error(y_train, fitted.predict(X_train)),\n"
        "                    'test_rmse': root_mean_squared_error(y_test, fitted.predict(X_test))})\n"
        "errors = pd.DataFrame(records).set_index('degree')",
        "a list of records with a degree column made the index",
    ),
    # Task 5: cv_degree
    Answer(
        "cv_degree",
        "cv_rmse = pd.Series(dtype=float)\n"
        "for degree in range(1, 11):\n"
        "    scores = []\n"
        "    for train, test in folds.split(X_train):\n"
        "        model = make_model(degree).fit(X_train.iloc[train], y_train.iloc[train])\n"
        "        scores.append(root_mean_squared_error(y_train.iloc[test], model.predict(X_train.iloc[test])))\n"
        "    cv_rmse[degree] = np.mean(scores)\n"
        "best_degree = int(cv_rmse.idxmin())",
        "the fold loop written out as scikit-learn's user guide does, binding train and test",
    ),
    Answer(
        "cv_degree",
        "from sklearn.model_selection import GridSearchCV\n\n"
        "search = GridSearchCV(make_model(1), {'polynomialfeatures__degree': list(range(1, 11))}, cv=folds,\n"
        "                      scoring='neg_root_mean_squared_error').fit(X_train, y_train)\n"
        "cv_rmse = pd.Series(-search.cv_results_['mean_test_score'], index=range(1, 11))\n"
        "best_degree = search.best_params_['polynomialfeatures__degree']",
        "GridSearchCV over the pipeline's degree",
    ),
    Answer(
        "cv_degree",
        "from sklearn.model_selection import cross_validate\n\n"
        "cv_rmse = pd.Series({d: -cross_validate(make_model(d), X_train, y_train, cv=folds,\n"
        "                                         scoring='neg_root_mean_squared_error')['test_score'].mean()\n"
        "                     for d in range(1, 11)})\n"
        "best_degree = int(cv_rmse.sort_values().index[0])",
        "cross_validate in a dict comprehension, the best degree from the sorted Series",
    ),
    # Task 6: scores
    Answer(
        "scores",
        "def test_set_scores(degree):\n"
        "    model = make_model(degree)\n"
        "    model.fit(X_train, y_train)\n"
        "    miss = y_test.to_numpy() - model.predict(X_test)\n"
        "    return {'MAE': np.abs(miss).mean(), 'RMSE': np.sqrt((miss ** 2).mean()),\n"
        "            'R2': 1 - (miss ** 2).sum() / ((y_test - y_test.mean()) ** 2).sum()}",
        "the three scores in numpy",
    ),
    Answer(
        "scores",
        "def test_set_scores(degree):\n"
        "    fitted = make_model(degree).fit(X_train, y_train)\n"
        "    predicted = fitted.predict(X_test)\n"
        "    scores = {}\n"
        "    for key, metric in [('MAE', mean_absolute_error), ('RMSE', root_mean_squared_error)]:\n"
        "        scores[key] = metric(y_test, predicted)\n"
        "    scores['R2'] = fitted.score(X_test, y_test)\n"
        "    return scores",
        "a loop over the metric functions, R^2 from the model's score method",
    ),
    # Task 7: verdict
    Answer(
        "verdict",
        "degree_10_is, quote_error_from = 'overfitting', 'test'",
        "both in one tuple assignment",
    ),
    Answer(
        "verdict",
        "choices = ['underfitting', 'overfitting', 'a good fit']\n"
        "degree_10_is = choices[1]\n"
        "quote_error_from = ' Test '.strip().lower()",
        "picked from a list, and a string cleaned up",
    ),
]

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
        "ratio",
        "ratio = metals['E_coh_eV'] / (k_B * (metals['T_m_K'] - 273.15))\nmedian_ratio = float(ratio.median())",
        "test_ratio",
        "the melting temperatures taken to be in kelvin and 'converted' to Celsius",
    ),
    WrongAnswer(
        "ratio",
        "metals['T_m_K'] = metals['T_m_K'] + 273.15  # the table is in Celsius\n"
        "ratio = metals['E_coh_eV'] / (k_B * metals['T_m_K'])\nmedian_ratio = float(ratio.median())",
        "test_ratio",
        "the table's kelvin read as Celsius and converted in place (spoils metals for later cells)",
        rebinds=True,
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
        "baseline",
        "baseline_prediction = np.full(len(y_test), y_train.median())\n"
        "baseline_mae = float(mean_absolute_error(y_test, baseline_prediction))\n"
        "baseline_rmse = float(root_mean_squared_error(y_test, baseline_prediction))",
        "test_baseline",
        "the training median predicted instead of the mean",
    ),
    WrongAnswer(
        "baseline",
        "X_train, X_test, y_train, y_test = train_test_split(metals[['E_coh_eV']], metals['T_m_K'], test_size=0.25, random_state=42)\n"
        "baseline_prediction = np.full(len(y_test), y_train.mean())\n"
        "baseline_mae = float(mean_absolute_error(y_test, baseline_prediction))\n"
        "baseline_rmse = float(root_mean_squared_error(y_test, baseline_prediction))",
        "test_baseline",
        "the metals split again with another seed, rebinding the lab's split",
        rebinds=True,
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
        "linear",
        "scaler = StandardScaler()\n"
        "X_train = scaler.fit_transform(X_train)\n"
        "X_test = scaler.transform(X_test)\n"
        "linear = LinearRegression().fit(X_train, y_train)\n"
        "slope_K_per_eV = float(linear.coef_[0])\n"
        "linear_test_r2 = float(r2_score(y_test, linear.predict(X_test)))",
        "test_linear",
        "the feature standardised first, so the slope is per standard deviation (and X_train, X_test are rebound)",
        rebinds=True,
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
        "curve",
        error_curve(index=""),
        "test_curve",
        "the DataFrame left with its default index 0 to 9, not the degree",
        rebinds=True,
    ),
    WrongAnswer(
        "cv_degree",
        cv_curve() + "train_rmse = {d: root_mean_squared_error(y_train, make_model(d).fit(X_train, y_train).predict(X_train))\n"
        "              for d in range(1, 11)}\nbest_degree = min(train_rmse, key=train_rmse.get)",
        "test_cv_degree",
        "degree chosen by the lowest training error",
    ),
    WrongAnswer(
        "cv_degree",
        cv_curve() + "test_rmse = {d: root_mean_squared_error(y_test, make_model(d).fit(X_train, y_train).predict(X_test))\n"
        "             for d in range(1, 11)}\nbest_degree = min(test_rmse, key=test_rmse.get)",
        "test_cv_degree",
        "degree chosen with the test set",
    ),
    WrongAnswer(
        "cv_degree",
        "cv_rmse = pd.Series(dtype=float)\n"
        "for degree in range(1, 11):\n"
        "    scores = []\n"
        "    for train, test in folds.split(X_train):\n"
        "        model = make_model(degree).fit(X_train.iloc[train], y_train.iloc[train])\n"
        "        scores.append(root_mean_squared_error(y_train.iloc[test], model.predict(X_train.iloc[test])))\n"
        "    cv_rmse[degree] = np.mean(scores)\n"
        "best_degree = int(np.argmin(cv_rmse.to_numpy()))",
        "test_cv_degree",
        "np.argmin position (from 0) taken as the degree (from 1); the fold loop rebinds train and test",
        rebinds=True,
    ),
    WrongAnswer(
        "cv_degree",
        cv_curve(data="metals[['E_coh_eV']], metals['T_m_K']") + "best_degree = int(cv_rmse.idxmin())",
        "test_cv_degree",
        "cross-validation over all metals, test set included",
    ),
    WrongAnswer(
        "scores",
        "X_train, y_train = pd.concat([X_train, X_test]), pd.concat([y_train, y_test])  # the final model gets all the data\n\n\n"
        "def test_set_scores(degree):\n"
        "    predicted = make_model(degree).fit(X_train, y_train).predict(X_test)\n"
        "    return {'MAE': mean_absolute_error(y_test, predicted),\n"
        "            'RMSE': root_mean_squared_error(y_test, predicted), 'R2': r2_score(y_test, predicted)}",
        "test_scores",
        "training set rebound to all metals before the final model is 'tested'",
        rebinds=True,
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
        "scores",
        "from sklearn.metrics import mean_squared_error\n\n\n"
        "def test_set_scores(degree):\n"
        "    predicted = make_model(degree).fit(X_train, y_train).predict(X_test)\n"
        "    return {'MAE': mean_absolute_error(y_test, predicted),\n"
        "            'RMSE': mean_squared_error(y_test, predicted), 'R2': r2_score(y_test, predicted)}",
        "test_scores",
        "mean squared error (K^2) reported as RMSE",
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
    WrongAnswer(
        "verdict",
        "degree_10_is = 'overfitting'\nquote_error_from = 'training'",
        "test_verdict",
        "the training error quoted as the error to expect",
    ),
    WrongAnswer(
        "verdict",
        "degree_10_is = 'underfitting'\nquote_error_from = 'test'",
        "test_verdict",
        "the wild degree-10 curve taken for underfitting",
        rebinds=True,
    ),
]
