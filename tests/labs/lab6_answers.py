"""Plausible mistakes in lab 6 (neurons, convolutions, neural networks), one or more per graded test."""

from labharness import Answer, WrongAnswer

MLP_CELL = (
    "mlp = Pipeline([{scaler}\n"
    "    ('net', MLPRegressor(hidden_layer_sizes=(64, 32), early_stopping={early}, validation_fraction=0.1,\n"
    "                         n_iter_no_change=10, max_iter=500, random_state=0)),\n"
    "])\n"
    "mlp.fit(X_train, y_train)"
)

CORRECT_ANSWERS: list[Answer] = []  # correct alternatives, written differently from the solution

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
        "convolution",
        "def convolve2d_valid(image, kernel):\n"
        "    kh, kw = kernel.shape\n"
        "    out_h, out_w = image.shape[0] - kh + 1, image.shape[1] - kw + 1\n"
        "    out = np.zeros((out_h, out_w))\n"
        "    for u in range(kh):\n"
        "        for v in range(kw):\n"
        "            out += kernel[u, v] * image[u:u + out_h, v:v + out_w]\n"
        "    return out",
        "test_convolution",
        "kernel not flipped: cross-correlation instead of convolution",
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
        "    return np.sqrt(gx**2 + gy**2)",
        "test_sobel",
        "'same' mode: zero padding makes false edges at the image border",
    ),
    WrongAnswer(
        "sobel",
        "def sobel_magnitude(image):\n"
        "    return signal.convolve2d(image, sobel_x, mode='valid') + signal.convolve2d(image, sobel_y, mode='valid')",
        "test_sobel",
        "responses added instead of combined as a vector magnitude",
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
        "mlp",
        MLP_CELL.format(scaler="", early="True"),
        "test_mlp",
        "features not scaled for the network",
    ),
    WrongAnswer(
        "mlp",
        MLP_CELL.format(scaler="\n    ('scale', StandardScaler()),", early="False"),
        "test_mlp",
        "early stopping not switched on",
    ),
    WrongAnswer(
        "forest",
        "forest = RandomForestRegressor(n_estimators=50, min_samples_leaf=2, max_features=0.5, random_state=0)\n"
        "forest.fit(X_train, y_train)\n"
        "mae_rf = mean_absolute_error(y_train, forest.predict(X_train))\n"
        "needs_scaling = 'mlp'",
        "test_forest",
        "error measured on the training set",
    ),
    WrongAnswer(
        "forest",
        "forest = RandomForestRegressor(n_estimators=50, min_samples_leaf=2, max_features=0.5, random_state=0)\n"
        "forest.fit(X_train, y_train)\n"
        "mae_rf = mean_absolute_error(y_test, forest.predict(X_test))\n"
        "needs_scaling = 'random forest'",
        "test_forest",
        "trees thought to depend on the scale of the features",
    ),
]
