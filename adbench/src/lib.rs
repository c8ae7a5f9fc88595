//! ADBench's Gaussian mixture model (GMM) and bundle adjustment (BA) in plain Rust.
//!
//! The two problems of Srajer, Kukelova and Fitzgibbon's ADBench, as the proof of
//! `#[differentiable]` on arrays, slices and `&mut` buffers needs them:
//!
//! - [`data`]: parsers for ADBench's input files (copied into the repository's
//!   `data/adbench/`), returning plain structs;
//! - [`gmm`]: the GMM objective written with slices, `vec![0.0; d]` workspaces and `&mut`
//!   outputs only, the code the macro will annotate;
//! - [`gmm_grad`]: its hand-written gradient (one pass over the points);
//! - [`ba`]: one observation's reprojection residual (Rodrigues rotation, radial distortion),
//!   the weight residual and the full residual vector;
//! - [`ba_jacobian`]: the hand-written 2 x 15 Jacobian of one observation.
//!
//! ```
//! use dezero_adbench::{data, gmm};
//!
//! let input = data::read_gmm(data::data_path("gmm_d2_K5.txt")).unwrap();
//! let value = gmm::objective_of(&input);
//! // The value NumPy computes independently (adbench/gmm_reference.py).
//! assert!((value - -5240.590562549577).abs() < 1e-8 * value.abs());
//! ```
pub mod ba;
pub mod ba_jacobian;
pub mod data;
pub mod gmm;
pub mod gmm_grad;
