"""Lab 6 (neurons, convolutions, neural networks): correct alternatives and plausible mistakes per task."""

from labharness import Answer, WrongAnswer

MLP_CELL = (
    "mlp = Pipeline([{scaler}\n"
    "    ('net', MLPRegressor(hidden_layer_sizes=(64, 32), early_stopping={early}, validation_fraction=0.1,\n"
    "                         n_iter_no_change=10, max_iter=500, random_state={seed})),\n"
    "])\n"
    "mlp.fit(X_train, y_train)"
)
_FOREST = "forest = RandomForestRegressor(n_estimators=50, min_samples_leaf=2, max_features=0.5, random_state=0)\n" \
          "forest.fit(X_train, y_train)\n"

CORRECT_ANSWERS = [
    Answer(
        "activations",
        "from scipy.special import expit\n\n"
        "def sigmoid(z):\n    return expit(z)\n\n"
        "def relu(z):\n    z = np.asarray(z, dtype=float)\n    return z * (z > 0)",
        "scipy's expit; ReLU as z times a mask",
    ),
    Answer(
        "activations",
        "def sigmoid(z):\n"
        "    z = np.asarray(z, dtype=float)\n"
        "    with np.errstate(over='ignore'):\n"
        "        return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))\n\n"
        "def relu(z):\n    return np.clip(z, 0, None)",
        "numerically stable two-branch sigmoid; ReLU by clipping",
    ),
    Answer(
        "neuron",
        "def neuron(X, w, b):\n"
        "    rows = np.asarray(X, dtype=float)\n"
        "    return np.array([1 / (1 + np.exp(-(np.dot(row, w) + b))) for row in rows])\n\n"
        "w_and = np.array([6.0, 6.0])\nb_and = -9.0",
        "a loop over the rows; other AND weights (6, 6, -9)",
    ),
    Answer(
        "neuron",
        "from scipy.special import expit\n\n"
        "def neuron(X, w, b):\n    return expit(np.dot(X, w) + b)\n\n"
        "w_and = np.array([5, 5])\nb_and = -7.5",
        "scipy's expit of np.dot; integer weights",
    ),
    Answer(
        "forward",
        "import math\n\n"
        "def forward(X, W1, b1, w2, b2):\n"
        "    X = np.asarray(X, dtype=float)\n"
        "    out = np.zeros(X.shape[0])\n"
        "    for i in range(X.shape[0]):\n"
        "        z = b2\n"
        "        for j in range(len(b1)):\n"
        "            h = max(0.0, float(np.dot(X[i], W1[:, j]) + b1[j]))\n"
        "            z += h * w2[j]\n"
        "        out[i] = 1 / (1 + math.exp(-z))\n"
        "    return out",
        "loops over samples and hidden units",
    ),
    Answer(
        "forward",
        "from scipy.special import expit\n\n"
        "def forward(X, W1, b1, w2, b2):\n"
        "    hidden = np.clip(np.einsum('nd,dm->nm', np.asarray(X, dtype=float), W1) + b1, 0, None)\n"
        "    return expit(hidden.dot(w2) + b2)",
        "einsum, clip and expit",
    ),
    Answer(
        "convolution",
        "def convolve2d_valid(image, kernel):\n"
        "    image = np.asarray(image, dtype=float)\n"
        "    k = np.flip(np.asarray(kernel, dtype=float))\n"
        "    kh, kw = k.shape\n"
        "    out = np.empty((image.shape[0] - kh + 1, image.shape[1] - kw + 1))\n"
        "    for i in range(out.shape[0]):\n"
        "        for j in range(out.shape[1]):\n"
        "            out[i, j] = np.sum(image[i:i + kh, j:j + kw] * k)\n"
        "    return out",
        "a loop over output pixels with np.flip",
    ),
    Answer(
        "convolution",
        "def convolve2d_valid(image, kernel):\n"
        "    kernel = np.asarray(kernel, dtype=float)\n"
        "    windows = np.lib.stride_tricks.sliding_window_view(np.asarray(image, dtype=float), kernel.shape)\n"
        "    return np.einsum('ijuv,uv->ij', windows, kernel[::-1, ::-1])",
        "sliding windows and einsum",
    ),
    Answer(
        "sobel",
        "def sobel_magnitude(image):\n"
        "    gx = signal.correlate2d(image, sobel_x, mode='valid')\n"
        "    gy = signal.correlate2d(image, sobel_y, mode='valid')\n"
        "    return np.hypot(gx, gy)",
        "cross-correlation: the flip only changes the sign of each Sobel response, not the magnitude",
    ),
    Answer(
        "sobel",
        "from scipy import ndimage\n\n"
        "def sobel_magnitude(image):\n"
        "    image = np.asarray(image, dtype=float)\n"
        "    along_rows, along_cols = ndimage.sobel(image, axis=0), ndimage.sobel(image, axis=1)\n"
        "    return np.sqrt(along_rows**2 + along_cols**2)[1:-1, 1:-1]",
        "scipy.ndimage.sobel, border pixels cut off for the valid region",
    ),
    Answer(
        "scaling",
        "mu = X_train.mean(axis=0)\n"
        "s = X_train.std(axis=0)\n"
        "X_train_scaled = (X_train - mu) / s\n"
        "X_test_scaled = (X_test - mu) / s",
        "numpy by hand",
    ),
    Answer(
        "scaling",
        "scaler = StandardScaler()\n"
        "X_train_scaled = scaler.fit_transform(X_train)\n"
        "X_test_scaled = scaler.transform(X_test)",
        "fit_transform on the training set, transform on the test set",
    ),
    Answer(
        "mlp",
        "net = MLPRegressor(random_state=0, max_iter=500, n_iter_no_change=10, validation_fraction=0.1,\n"
        "                   early_stopping=True, hidden_layer_sizes=[64, 32])\n"
        "mlp = Pipeline(steps=[('scale', StandardScaler()), ('net', net)]).fit(X_train, y_train)",
        "keywords in another order, layer sizes as a list, fit chained",
    ),
    Answer(
        "mlp",
        "mlp = Pipeline([('scale', StandardScaler()), ('net', MLPRegressor())])\n"
        "mlp.set_params(net__hidden_layer_sizes=(64, 32), net__early_stopping=True, net__validation_fraction=0.1,\n"
        "               net__n_iter_no_change=10, net__max_iter=500, net__random_state=0)\n"
        "mlp.fit(X_train, y_train)",
        "hyperparameters set through the pipeline's set_params",
    ),
    Answer(
        "forest",
        "rf = RandomForestRegressor(max_features=0.5, random_state=0, min_samples_leaf=2, n_estimators=50).fit(X_train, y_train)\n"
        "mae_rf = float(np.mean(np.abs(rf.predict(X_test) - y_test)))\n"
        "needs_scaling = 'mlp'",
        "MAE in numpy, another variable name for the forest",
    ),
    Answer(
        "forest",
        _FOREST
        + "errors = [abs(p - t) for p, t in zip(forest.predict(X_test), y_test)]\n"
        "mae_rf = sum(errors) / len(errors)\n"
        "needs_scaling = 'mlp'",
        "MAE by a loop",
    ),
]

WRONG_ANSWERS = [
    WrongAnswer(
        "activations",
        "def sigmoid(z):\n    return 1 / (1 + np.exp(np.asarray(z, dtype=float)))\n\n"
        "def relu(z):\n    return np.maximum(0, z)",
        "test_activations",
        "sign error in the exponent of the sigmoid (gives sigmoid(-z))",
    ),
    WrongAnswer(
        "activations",
        "def sigmoid(z):\n    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))\n\n"
        "def relu(z):\n    return np.maximum(np.asarray(z, dtype=float), 1)",
        "test_activations",
        "ReLU written as max(z, 1)",
    ),
    WrongAnswer(
        "activations",
        "def sigmoid(z):\n    return (np.tanh(np.asarray(z, dtype=float)) + 1) / 2\n\n"
        "def relu(z):\n    return np.maximum(0, z)",
        "test_activations",
        "(tanh + 1) / 2 taken for the sigmoid: it is sigmoid(2z)",
    ),
    WrongAnswer(
        "activations",
        "def sigmoid(z):\n    return 1 / (1 + np.exp(-np.asarray(z, dtype=float)))\n\n"
        "def relu(z):\n    z = np.asarray(z, dtype=float)\n    z[z < 0] = 0.0\n    return z",
        "test_activations",
        "ReLU written into its argument: the caller's array is changed",
        rebinds=True,
    ),
    WrongAnswer(
        "neuron",
        "def neuron(X, w, b):\n    return 1 / (1 + np.exp(-(X @ w + b)))\n\nw_and = np.array([10.0, 10.0])\nb_and = -5.0",
        "test_neuron",
        "weights of an OR gate: on for one input already",
    ),
    WrongAnswer(
        "neuron",
        "def neuron(X, w, b):\n    return X @ w + b\n\nw_and = np.array([10.0, 10.0])\nb_and = -15.0",
        "test_neuron",
        "weighted sum returned without the activation",
    ),
    WrongAnswer(
        "neuron",
        "def neuron(X, w, b):\n    return 1 / (1 + np.exp(-(X @ w + b)))\n\nw_and = np.array([1.0, 1.0])\nb_and = -1.5",
        "test_neuron",
        "the right boundary but weights too small: (1, 1) gives only 0.62",
    ),
    WrongAnswer(
        "neuron",
        "def neuron(X, w, b):\n    return 1 / (1 + np.exp(-(np.asarray(X) @ w - b)))\n\n"
        "w_and = np.array([10.0, 10.0])\nb_and = 15.0\n"
        "y_and = neuron(X_gate, w_and, b_and)",
        "test_neuron",
        "bias subtracted (b_and chosen to match), and the lab's y_and overwritten with the outputs",
        rebinds=True,
    ),
    WrongAnswer(
        "forward",
        "def forward(X, W1, b1, w2, b2):\n    return 1 / (1 + np.exp(-((X @ W1 + b1) @ w2 + b2)))",
        "test_forward",
        "hidden activation forgotten: a linear hidden layer cannot make XOR",
    ),
    WrongAnswer(
        "forward",
        "def forward(X, W1, b1, w2, b2):\n"
        "    hidden = 1 / (1 + np.exp(-(X @ W1 + b1)))\n"
        "    return 1 / (1 + np.exp(-(hidden @ w2 + b2)))",
        "test_forward",
        "sigmoid in the hidden layer where the network uses ReLU",
    ),
    WrongAnswer(
        "forward",
        "def forward(X, W1, b1, w2, b2):\n"
        "    hidden = np.maximum(0, X @ W1.T + b1)\n"
        "    return 1 / (1 + np.exp(-(hidden @ w2 + b2)))",
        "test_forward",
        "weight matrix transposed (right only when it is square and symmetric)",
    ),
    WrongAnswer(
        "forward",
        "def forward(X, W1, b1, w2, b2):\n"
        "    hidden = np.maximum(0, np.asarray(X, dtype=float) @ W1) + b1\n"
        "    return 1 / (1 + np.exp(-(hidden @ w2 + b2)))\n\n"
        "X = X_gate",
        "test_forward",
        "hidden bias added after the ReLU (and the name X, used later by the lab, rebound)",
        rebinds=True,
    ),
    WrongAnswer(
        "convolution",
        "def convolve2d_valid(image, kernel):\n"
        "    kh, kw = kernel.shape\n"
        "    out_h, out_w = image.shape[0] - kh + 1, image.shape[1] - kw + 1\n"
        "    out = np.zeros((out_h, out_w))\n"
        "    for u in range(kh):\n"
        "        for v in range(kw):\n"
        "            out += kernel[u, v] * image[u:u + out_h, v:v + out_w]\n"
        "    return out\n\n"
        "micrograph = convolve2d_valid(micrograph, np.ones((3, 3)) / 9)",
        "test_convolution",
        "kernel not flipped: cross-correlation (and the lab's micrograph replaced by a smoothed one)",
        rebinds=True,
    ),
    WrongAnswer(
        "convolution",
        "def convolve2d_valid(image, kernel):\n"
        "    kh, kw = kernel.shape\n"
        "    padded = np.pad(image, ((kh // 2, kh - 1 - kh // 2), (kw // 2, kw - 1 - kw // 2)))\n"
        "    flipped = kernel[::-1, ::-1]\n"
        "    out = np.zeros(image.shape)\n"
        "    for u in range(kh):\n"
        "        for v in range(kw):\n"
        "            out += flipped[u, v] * padded[u:u + image.shape[0], v:v + image.shape[1]]\n"
        "    return out",
        "test_convolution",
        "zero-padded 'same' output instead of 'valid'",
    ),
    WrongAnswer(
        "convolution",
        "def convolve2d_valid(image, kernel):\n"
        "    kh, kw = kernel.shape\n"
        "    out_h, out_w = image.shape[0] - kh, image.shape[1] - kw\n"
        "    flipped = kernel[::-1, ::-1]\n"
        "    out = np.zeros((out_h, out_w))\n"
        "    for u in range(kh):\n"
        "        for v in range(kw):\n"
        "            out += flipped[u, v] * image[u:u + out_h, v:v + out_w]\n"
        "    return out",
        "test_convolution",
        "off by one: output of H - kh instead of H - kh + 1 rows",
    ),
    WrongAnswer(
        "convolution",
        "def convolve2d_valid(image, kernel):\n"
        "    kernel[:] = kernel[::-1, ::-1]\n"
        "    kh, kw = kernel.shape\n"
        "    out_h, out_w = image.shape[0] - kh + 1, image.shape[1] - kw + 1\n"
        "    out = np.zeros((out_h, out_w))\n"
        "    for u in range(kh):\n"
        "        for v in range(kw):\n"
        "            out += kernel[u, v] * image[u:u + out_h, v:v + out_w]\n"
        "    return out",
        "test_convolution",
        "kernel flipped in place: the caller's kernel is changed (and flipped back on the next call)",
    ),
    WrongAnswer(
        "sobel",
        "def sobel_magnitude(image):\n    return np.abs(signal.convolve2d(image, sobel_x, mode='valid'))",
        "test_sobel",
        "only the x kernel: boundaries running along the rows are missed",
    ),
    WrongAnswer(
        "sobel",
        "def sobel_magnitude(image):\n"
        "    gx = signal.convolve2d(image, sobel_x, mode='same')\n"
        "    gy = signal.convolve2d(image, sobel_y, mode='same')\n"
        "    return np.sqrt(gx**2 + gy**2)[:-2, :-2]",
        "test_sobel",
        "'same' mode cropped to the valid size at one corner: shifted, with false border edges",
    ),
    WrongAnswer(
        "sobel",
        "def sobel_magnitude(image):\n"
        "    return np.abs(signal.convolve2d(image, sobel_x, mode='valid') + signal.convolve2d(image, sobel_y, mode='valid'))",
        "test_sobel",
        "responses added instead of combined as a vector magnitude",
    ),
    WrongAnswer(
        "sobel",
        "def sobel_magnitude(image):\n"
        "    gx = signal.convolve2d(image, sobel_x, mode='valid')\n"
        "    gy = signal.convolve2d(image, sobel_y, mode='valid')\n"
        "    return gx**2 + gy**2\n\n"
        "edges = sobel_magnitude(micrograph) > 0.3",
        "test_sobel",
        "squared magnitude, square root forgotten (and the lab's edges made from it)",
        rebinds=True,
    ),
    WrongAnswer(
        "scaling",
        "scaler = StandardScaler().fit(np.vstack([X_train, X_test]))\n"
        "X_train_scaled = scaler.transform(X_train)\nX_test_scaled = scaler.transform(X_test)",
        "test_scaling",
        "scaler fitted on all data: test-set statistics leak into training",
    ),
    WrongAnswer(
        "scaling",
        "X_train_scaled = StandardScaler().fit_transform(X_train)\nX_test_scaled = StandardScaler().fit_transform(X_test)",
        "test_scaling",
        "test set scaled with its own mean and standard deviation",
    ),
    WrongAnswer(
        "scaling",
        "sc = StandardScaler()\n"
        "X_train = sc.fit_transform(X_train)\n"
        "X_test = sc.fit_transform(X_test)\n"
        "X_train_scaled, X_test_scaled = X_train, X_test",
        "test_scaling",
        "the issue's case: X_train and X_test overwritten, the test set refitted (leakage)",
        rebinds=True,
    ),
    WrongAnswer(
        "scaling",
        "scaler = StandardScaler(copy=False).fit(X_train)\n"
        "X_train_scaled = scaler.transform(X_train)\nX_test_scaled = scaler.transform(X_test)",
        "test_scaling",
        "StandardScaler(copy=False): right numbers, but the raw X_train and X_test are scaled in place",
    ),
    WrongAnswer(
        "mlp",
        MLP_CELL.format(scaler="", early="True", seed="0"),
        "test_mlp",
        "features not scaled for the network",
    ),
    WrongAnswer(
        "mlp",
        MLP_CELL.format(scaler="\n    ('scale', StandardScaler()),", early="False", seed="0"),
        "test_mlp",
        "early stopping not switched on",
    ),
    WrongAnswer(
        "mlp",
        MLP_CELL.format(scaler="\n    ('scale', StandardScaler()),", early="True", seed="None"),
        "test_mlp",
        "unseeded network: another one on every run (its R^2 can even be higher)",
    ),
    WrongAnswer(
        "mlp",
        "X_train, X_test = X_train_scaled, X_test_scaled\n" + MLP_CELL.format(scaler="\n    ('scale', StandardScaler()),", early="True", seed="0"),
        "test_mlp",
        "fitted on the scaled features of Task 6 (X_train rebound): the pipeline no longer takes raw features",
        rebinds=True,
    ),
    WrongAnswer(
        "forest",
        _FOREST + "mae_rf = mean_absolute_error(y_train, forest.predict(X_train))\nneeds_scaling = 'mlp'",
        "test_forest",
        "error measured on the training set",
    ),
    WrongAnswer(
        "forest",
        _FOREST + "mae_rf = mean_absolute_error(y_test, forest.predict(X_test))\nneeds_scaling = 'random forest'",
        "test_forest",
        "trees thought to depend on the scale of the features",
    ),
    WrongAnswer(
        "forest",
        _FOREST + "mae_rf = float(np.sqrt(np.mean((forest.predict(X_test) - y_test) ** 2)))\nneeds_scaling = 'mlp'",
        "test_forest",
        "root-mean-square error instead of the mean absolute error",
    ),
    WrongAnswer(
        "forest",
        "forest = RandomForestRegressor(n_estimators=50, min_samples_leaf=2, max_features=0.5).fit(X_train, y_train)\n"
        "mae_rf = mean_absolute_error(y_test, forest.predict(X_test))\nneeds_scaling = 'mlp'",
        "test_forest",
        "unseeded forest: the MAE moves by about 0.5 % from run to run",
        rebinds=True,
    ),
]
