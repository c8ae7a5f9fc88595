//! `random::RandomState` gives NumPy's legacy `np.random` streams bit for bit.
//!
//! Reference values printed by NumPy 2.4:
//!
//! ```text
//! import numpy as np
//! bg = np.random.MT19937(); bg._legacy_seeding(0); [bg.random_raw() for _ in range(3)]
//! [repr(v) for v in np.random.RandomState(0).random_sample(3)]
//! [repr(v) for v in np.random.RandomState(0).randn(5)]
//! rs = np.random.RandomState(0); rs.randn(2, 3); rs.rand(2)
//! list(np.random.RandomState(0).permutation(10))
//! p = np.random.RandomState(42).permutation(300); p[:8], p[-4:]
//! np.random.RandomState(1984).randn(3)
//! ```

use dezero_runtime::random::{self, RandomState};

#[test]
fn raw_words_match_mt19937() {
    // The reference implementation's first output for its default seed 5489.
    assert_eq!(RandomState::new(5489).next_u32(), 3499211612);
    let mut rng = RandomState::new(0);
    let words: Vec<u32> = (0..3).map(|_| rng.next_u32()).collect();
    assert_eq!(words, [2357136044, 2546248239, 3071714933]);
}

#[test]
fn random_sample_matches_numpy() {
    let mut rng = RandomState::new(0);
    let u: Vec<f64> = (0..3).map(|_| rng.random_sample()).collect();
    assert_eq!(
        u,
        [0.5488135039273248, 0.7151893663724195, 0.6027633760716439]
    );
}

#[test]
fn randn_matches_numpy_polar_box_muller() {
    let mut rng = RandomState::new(0);
    let n = rng.randn(&[5]);
    assert_eq!(
        n.as_slice().unwrap(),
        [
            1.764052345967664,
            0.4001572083672233,
            0.9787379841057392,
            2.240893199201458,
            1.8675579901499675
        ]
    );
    let mut rng = RandomState::new(1984);
    let n: Vec<f64> = (0..3).map(|_| rng.standard_normal()).collect();
    assert_eq!(
        n,
        [
            -0.026902226847232345,
            -0.6892736860726052,
            0.896138438007482
        ]
    );
}

#[test]
fn randn_then_rand_continues_the_stream_in_row_major_order() {
    // randn(2, 3) draws 6 normals (3 polar pairs), then rand(2) goes on from the same words.
    let mut rng = RandomState::new(0);
    let a = rng.randn(&[2, 3]);
    assert_eq!(a.shape(), &[2, 3]);
    assert_eq!(a[[0, 2]], 0.9787379841057392);
    assert_eq!(a[[1, 2]], -0.977277879876411);
    let u = rng.rand(&[2]);
    assert_eq!(
        u.as_slice().unwrap(),
        [0.4375872112626925, 0.8917730007820798]
    );
}

#[test]
fn reseeding_drops_the_cached_normal() {
    let mut rng = RandomState::new(0);
    rng.standard_normal(); // caches the pair's second value
    rng.seed(0);
    assert_eq!(rng.standard_normal(), 1.764052345967664);
}

#[test]
fn permutation_matches_numpy() {
    assert_eq!(
        RandomState::new(0).permutation(10),
        [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]
    );
    let p = RandomState::new(42).permutation(300);
    assert_eq!(p[..8], [203, 266, 152, 9, 233, 226, 196, 109]);
    assert_eq!(p[296..], [71, 106, 270, 102]);
    let mut sorted = p.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..300).collect::<Vec<_>>());
    assert!(RandomState::new(0).permutation(0).is_empty());
    assert_eq!(RandomState::new(0).permutation(1), [0]);
}

#[test]
fn thread_generator_is_seedable_like_np_random() {
    random::seed(0);
    assert_eq!(random::permutation(10), [2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
    random::seed(0);
    assert_eq!(random::randn(&[2])[1], 0.4001572083672233);
    assert_eq!(random::rand(&[1, 1]).shape(), &[1, 1]);
}
