//! Weights saved by DeZero load into our models, and ours load back (and into NumPy).
//!
//! The fixtures in tests/fixtures/ were written by NumPy 2.4 and DeZero 0.0.13:
//!
//! ```text
//! import numpy as np; np.int = int
//! from dezero.models import MLP
//! # 1. DeZero's own save_weights (np.savez_compressed: deflated entries) of MLP((3, 2)):
//! #    W is float64 (randn(I, O).astype(float32) * np.sqrt(1 / I) promotes), b is float32.
//! np.random.seed(0); model = MLP((3, 2)); model(np.zeros((1, 2)))
//! model.save_weights("dezero_mlp.npz")
//! # 2. np.savez (stored entries) of float64 arrays, one in Fortran order, one 0-dim:
//! np.savez("numpy_f64.npz", a=np.arange(6.0).reshape(2, 3) / 8,
//!          f=np.asfortranarray(np.array([[1.0, 2.0], [3.0, 4.0]])), s=np.array(-1.25))
//! ```

use std::path::PathBuf;

use dezero_runtime::layers::{Layer, Linear, Parameter};
use dezero_runtime::models::MLP;
use dezero_runtime::random;
use dezero_runtime::serialize::{load_npz, save_npz, NpzError};
use ndarray::{array, ArrayD};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn scratch(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name)
}

fn flat(p: &Parameter) -> Vec<f64> {
    p.data().iter().copied().collect()
}

#[test]
fn loads_dezeros_save_weights_into_an_mlp() {
    let model = MLP::new(&[3, 2]);
    model.load_weights(fixture("dezero_mlp.npz")).unwrap();
    let l = model.layers();
    assert_eq!(l[0].w().shape(), vec![2, 3]);
    assert_eq!(l[0].in_size(), Some(2));
    assert_eq!(
        flat(l[0].w()),
        [
            1.2473734080813865,
            0.2829538790022514,
            0.6920722838262869,
            1.5845507249794495,
            1.3205629278071005,
            -0.6910398124783156
        ]
    );
    assert_eq!(
        flat(l[1].w()),
        [
            0.5485338173800286,
            -0.08738612231268579,
            -0.05959343283846406,
            0.23705916400948612,
            0.0831635909102624,
            0.8396251749316546
        ]
    );
    assert_eq!(flat(l[0].b().unwrap()), [0.0; 3]); // float32 zeros
    assert_eq!(l[1].b().unwrap().shape(), vec![2]);
}

#[test]
fn our_initialisation_is_dezeros_up_to_its_float32_rounding() {
    // Same seed, same draws: DeZero rounds randn to float32 before scaling, we do not.
    random::seed(0);
    let l0 = Linear::new(3).with_in_size(2);
    let l1 = Linear::new(2).with_in_size(3);
    let dezero = MLP::new(&[3, 2]);
    dezero.load_weights(fixture("dezero_mlp.npz")).unwrap();
    for (a, b) in [(&l0, &dezero.layers()[0]), (&l1, &dezero.layers()[1])] {
        for (x, y) in a.w().data().iter().zip(b.w().data().iter()) {
            assert!((x - y).abs() <= 1e-7 * y.abs(), "{x} vs {y}");
        }
    }
}

#[test]
fn reads_stored_entries_fortran_order_and_0_dim() {
    let arrays = load_npz(fixture("numpy_f64.npz")).unwrap();
    let keys: Vec<&str> = arrays.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["a", "f", "s"]);
    assert_eq!(
        arrays[0].1,
        (array![[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]] / 8.0).into_dyn()
    );
    assert_eq!(arrays[1].1, array![[1.0, 2.0], [3.0, 4.0]].into_dyn());
    assert_eq!(arrays[2].1, ndarray::arr0(-1.25).into_dyn());
}

#[test]
fn save_then_load_round_trips_every_bit() {
    random::seed(42);
    let model = MLP::new(&[4, 3, 1]);
    for (i, l) in model.layers().iter().enumerate() {
        let in_size = [2, 4, 3][i];
        l.w().set_data(random::randn(&[in_size, l.out_size()]));
        l.b().unwrap().set_data(random::randn(&[l.out_size()]));
    }
    let path = scratch("nn_serialize_round_trip.npz");
    model.save_weights(&path).unwrap();

    let keys: Vec<String> = load_npz(&path)
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(keys, ["l0/W", "l0/b", "l1/W", "l1/b", "l2/W", "l2/b"]);

    let copy = MLP::new(&[4, 3, 1]);
    copy.load_weights(&path).unwrap();
    for (p, q) in model.params().iter().zip(copy.params()) {
        assert_eq!(p.shape(), q.shape());
        assert!(p
            .data()
            .iter()
            .zip(q.data().iter())
            .all(|(a, b)| a.to_bits() == b.to_bits()));
    }
}

#[test]
fn saving_an_uninitialised_layer_is_an_error() {
    let path = scratch("nn_serialize_no_data.npz");
    match MLP::new(&[3]).save_weights(&path) {
        Err(NpzError::NoData(key)) => assert_eq!(key, "l0/W"),
        other => panic!("expected NoData, got {other:?}"),
    }
    assert!(!path.exists());
}

#[test]
fn loading_checks_keys_and_shapes_before_changing_anything() {
    let path = scratch("nn_serialize_partial.npz");
    let w = ArrayD::<f64>::ones(ndarray::IxDyn(&[2, 3]));
    save_npz(&path, &[("W", w.view())]).unwrap();

    // b is missing: nothing is loaded, W keeps its data.
    let l = Linear::new(3).with_in_size(2);
    let before = l.w().data().clone();
    match l.load_weights(&path) {
        Err(e @ NpzError::MissingKey(_)) => {
            assert_eq!(e.to_string(), "npz: the archive has no array \"b\"")
        }
        other => panic!("expected MissingKey, got {other:?}"),
    }
    assert_eq!(*l.w().data(), before);

    // Without a bias, W loads; into a layer of another shape, it does not.
    Linear::new(3).without_bias().load_weights(&path).unwrap();
    match Linear::new(4)
        .with_in_size(2)
        .without_bias()
        .load_weights(&path)
    {
        Err(NpzError::Shape {
            key,
            expected,
            found,
        }) => {
            assert_eq!(
                (key.as_str(), expected, found),
                ("W", vec![2, 4], vec![2, 3])
            );
        }
        other => panic!("expected Shape, got {other:?}"),
    }
}

#[test]
fn a_file_that_is_not_an_archive_is_an_error() {
    let path = scratch("nn_serialize_not_zip.npz");
    std::fs::write(&path, b"not a zip file at all").unwrap();
    assert!(matches!(load_npz(&path), Err(NpzError::Zip(_))));
    assert!(matches!(
        load_npz(scratch("nn_serialize_missing.npz")),
        Err(NpzError::Io(_))
    ));
}
