//! The parsers on ADBench's files (sizes, first and last numbers as printed in them) and
//! their errors, which name the file and the field.
use std::path::Path;

use dezero_adbench::data::{data_path, parse_ba, parse_gmm, read_ba, read_gmm};

#[test]
fn gmm_d2_k5_fields() {
    let g = read_gmm(data_path("gmm_d2_K5.txt")).unwrap();
    assert_eq!((g.d, g.k, g.n), (2, 5, 1000));
    assert_eq!(
        g.alphas,
        vec![-0.649014, 1.181166, -0.758453, -1.109613, -0.845551]
    );
    assert_eq!(g.means[..2], [0.345561, 0.396767]);
    assert_eq!(g.icf.len(), 15);
    // Component 0's icf: log-diagonal (0.166813, -1.965419), then the one off-diagonal entry.
    assert_eq!(g.icf[..3], [0.166813, -1.965419, -1.270071]);
    assert_eq!(g.x.len(), 2000);
    assert_eq!(g.x[..2], [1.270848, 0.066009]);
    assert_eq!(g.x[1998..], [0.388815, -0.447613]);
    assert_eq!((g.gamma, g.m), (1.0, 0));
}

#[test]
fn gmm_d10_k25_sizes() {
    let g = read_gmm(data_path("gmm_d10_K25.txt")).unwrap();
    assert_eq!((g.d, g.k, g.n), (10, 25, 1000));
    assert_eq!(
        (g.alphas.len(), g.means.len(), g.icf.len(), g.x.len()),
        (25, 250, 25 * 55, 10_000)
    );
    assert_eq!((g.gamma, g.m), (1.0, 0));
}

#[test]
fn ba_replication_rule() {
    let b = read_ba(data_path("ba1_n49_m7776_p31843.txt")).unwrap();
    assert_eq!((b.n, b.m, b.p), (49, 7776, 31843));
    let cam = [
        -0.758453, -1.109613, -0.845551, 34.556073, 39.676747, 53.881673, 419.194514, 5.864426,
        -8.518870, 0.087812, 0.002739,
    ];
    assert_eq!(b.cams.len(), 49 * 11);
    assert_eq!(b.cams[48 * 11..], cam);
    assert_eq!(b.points.len(), 7776 * 3);
    assert_eq!(b.points[7775 * 3..], [7.203245, 0.001144, 3.023326]);
    assert_eq!(b.weights, vec![0.417022; 31843]);
    assert_eq!(b.features[2 * 31842..], [271.760969, 834.209256]);
    assert_eq!(b.obs.len(), 31843);
    assert_eq!(b.obs[0], [0, 0]);
    assert_eq!(b.obs[7777], [7777 % 49, 1]);
    assert_eq!(b.obs[31842], [31842 % 49, 31842 % 7776]);
}

#[test]
fn gmm_errors_name_the_file_and_field() {
    let file = Path::new("g.txt");
    let err = |text: &str| parse_gmm(text, file).unwrap_err().to_string();
    assert_eq!(err(""), "g.txt: d: missing, the file ends");
    assert_eq!(err("2 x 3"), "g.txt: k: `x` is not a non-negative integer");
    assert_eq!(err("0 1 1"), "g.txt: d: must be positive, found 0");
    assert_eq!(
        err("1 2 1  0.5 oops"),
        "g.txt: alphas: number 1 `oops` is not a number"
    );
    assert_eq!(
        err("1 1 1  0.5 inf"),
        "g.txt: means: number 0 `inf` is not finite"
    );
    assert_eq!(
        err("1 1 2  0 0 0  1.0"),
        "g.txt: points: expected 2 numbers, the file ends after 1"
    );
    assert_eq!(
        err("1 1 1  0 0 0  1  1.0 0.5"),
        "g.txt: m: `0.5` is not a non-negative integer"
    );
    assert_eq!(
        err("1 1 1  0 0 0  1  1.0 0 7"),
        "g.txt: unexpected `7` after the last field"
    );
}

#[test]
fn ba_errors_name_the_file_and_field() {
    let file = Path::new("b.txt");
    let err = |text: &str| parse_ba(text, file).unwrap_err().to_string();
    assert_eq!(
        err("1 1"),
        "b.txt: p (observations): missing, the file ends"
    );
    assert_eq!(
        err("1 1 1  0 0 0"),
        "b.txt: camera: expected 11 numbers, the file ends after 3"
    );
    let full = "1 1 1  0 0 0 0 0 0 1 0 0 0 0  1 2 3  0.5  10 20";
    assert!(parse_ba(full, file).is_ok());
    assert_eq!(
        err(&format!("{full} 30")),
        "b.txt: unexpected `30` after the last field"
    );
}

#[test]
fn a_missing_file_is_named() {
    let path = data_path("missing.txt");
    let err = read_gmm(&path).unwrap_err();
    assert_eq!(err.file, path);
    assert!(err.what.starts_with("cannot read: "), "{}", err.what);
}
