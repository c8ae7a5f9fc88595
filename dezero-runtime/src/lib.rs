//! dezero-runtime: define-by-run automatic differentiation over `ndarray`.
