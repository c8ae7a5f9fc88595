//! Parsers for ADBench's GMM and BA input files, and where the repository keeps them.
//!
//! Both formats are whitespace-separated numbers in a fixed order (see
//! `data/adbench/README.md`). The parsers check every count and every number and name the
//! file and the field on error; BA's replication rule (one camera, point, weight and feature
//! stand for all of them) is expanded, so [`BaInput`] holds `n` cameras, `m` points and `p`
//! observations like any BA problem.
use std::fmt;
use std::path::{Path, PathBuf};

use crate::ba::CAM_PARAMS;

/// The repository's `data/adbench/` directory, found from this crate's manifest directory.
///
/// ```
/// let dir = dezero_adbench::data::data_dir();
/// assert!(dir.join("gmm_d2_K5.txt").is_file());
/// ```
pub fn data_dir() -> PathBuf {
    // adbench/ sits at the workspace root, beside data/.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("data")
        .join("adbench")
}

/// The path of one input file in [`data_dir`], e.g. `data_path("gmm_d10_K25.txt")`.
///
/// ```
/// let path = dezero_adbench::data::data_path("ba1_n49_m7776_p31843.txt");
/// assert!(path.is_file());
/// ```
pub fn data_path(name: &str) -> PathBuf {
    data_dir().join(name)
}

/// A file that could not be read or does not follow its format.
///
/// ```
/// use dezero_adbench::data::parse_gmm;
///
/// let err = parse_gmm("1 1 1\n0.5", "tiny.txt".as_ref()).unwrap_err();
/// assert_eq!(err.to_string(), "tiny.txt: means: expected 1 numbers, the file ends after 0");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DataError {
    /// The file concerned.
    pub file: PathBuf,
    /// What was wrong, naming the field.
    pub what: String,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.what)
    }
}

impl std::error::Error for DataError {}

/// One GMM problem: `n` points of dimension `d`, `k` components, and the Wishart prior.
///
/// Layouts (all row-major): `alphas[k]`, `means[k * d]` (component `j` at `j * d..`),
/// `icf[k * d(d+1)/2]` (component `j` at `j * d(d+1)/2..`: `d` log-diagonal entries of the
/// inverse-covariance factor Q, then the strictly lower triangle column by column),
/// `x[n * d]` (point `i` at `i * d..`).
///
/// ```
/// let input = dezero_adbench::data::read_gmm(
///     dezero_adbench::data::data_path("gmm_d2_K5.txt")).unwrap();
/// assert_eq!((input.d, input.k, input.n), (2, 5, 1000));
/// assert_eq!(input.icf.len(), 5 * 3);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GmmInput {
    /// Dimension of the points.
    pub d: usize,
    /// Number of mixture components.
    pub k: usize,
    /// Number of points.
    pub n: usize,
    /// Log-weights of the components (unnormalised), `k` numbers.
    pub alphas: Vec<f64>,
    /// Component means, `k * d` numbers.
    pub means: Vec<f64>,
    /// Inverse-covariance factors, `k * d(d+1)/2` numbers.
    pub icf: Vec<f64>,
    /// The points, `n * d` numbers.
    pub x: Vec<f64>,
    /// The Wishart prior's scale `gamma`.
    pub gamma: f64,
    /// The Wishart prior's extra degrees of freedom `m` (n' = d + m + 1).
    pub m: usize,
}

impl GmmInput {
    /// The same problem on its first `n` points only (for slow, debug-build checks).
    ///
    /// # Panics
    ///
    /// If `n` exceeds the number of points.
    ///
    /// ```
    /// let input = dezero_adbench::data::read_gmm(
    ///     dezero_adbench::data::data_path("gmm_d2_K5.txt")).unwrap();
    /// let small = input.truncated(10);
    /// assert_eq!((small.n, small.x.len()), (10, 20));
    /// ```
    #[track_caller]
    pub fn truncated(&self, n: usize) -> GmmInput {
        assert!(
            n <= self.n,
            "GmmInput::truncated: {n} points asked, the input has {}",
            self.n
        );
        GmmInput {
            n,
            x: self.x[..n * self.d].to_vec(),
            ..self.clone()
        }
    }
}

/// One BA problem: `n` cameras, `m` points and `p` observations.
///
/// Layouts (row-major): `cams[n * 11]` (camera `c` at `c * 11..`, see
/// [`crate::ba::CAM_PARAMS`]), `points[m * 3]`, `weights[p]`, `features[p * 2]`, and
/// `obs[p]`, the (camera, point) pair of each observation: `(i % n, i % m)` as ADBench
/// replicates its one camera and point.
///
/// ```
/// let input = dezero_adbench::data::read_ba(
///     dezero_adbench::data::data_path("ba1_n49_m7776_p31843.txt")).unwrap();
/// assert_eq!((input.n, input.m, input.p), (49, 7776, 31843));
/// assert_eq!(input.obs[100], [100 % 49, 100]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BaInput {
    /// Number of cameras.
    pub n: usize,
    /// Number of points.
    pub m: usize,
    /// Number of observations.
    pub p: usize,
    /// Camera parameters, `n * 11` numbers.
    pub cams: Vec<f64>,
    /// 3-D points, `m * 3` numbers.
    pub points: Vec<f64>,
    /// One weight per observation.
    pub weights: Vec<f64>,
    /// The observed 2-D features, `p * 2` numbers.
    pub features: Vec<f64>,
    /// The (camera, point) indices of each observation.
    pub obs: Vec<[usize; 2]>,
}

/// Reads and parses a GMM file (see [`parse_gmm`]).
///
/// # Errors
///
/// A [`DataError`] naming the file if it cannot be read or does not follow the format.
///
/// ```
/// use dezero_adbench::data::{data_path, read_gmm};
///
/// let input = read_gmm(data_path("gmm_d10_K25.txt")).unwrap();
/// assert_eq!(input.x.len(), 1000 * 10);
/// assert!(read_gmm(data_path("no_such_file.txt")).is_err());
/// ```
pub fn read_gmm(path: impl AsRef<Path>) -> Result<GmmInput, DataError> {
    let path = path.as_ref();
    parse_gmm(&read(path)?, path)
}

/// Reads and parses a BA file (see [`parse_ba`]).
///
/// # Errors
///
/// A [`DataError`] naming the file if it cannot be read or does not follow the format.
///
/// ```
/// use dezero_adbench::data::{data_path, read_ba};
///
/// let input = read_ba(data_path("ba1_n49_m7776_p31843.txt")).unwrap();
/// assert_eq!(input.cams.len(), 49 * 11);
/// ```
pub fn read_ba(path: impl AsRef<Path>) -> Result<BaInput, DataError> {
    let path = path.as_ref();
    parse_ba(&read(path)?, path)
}

/// Parses the text of a GMM file; `file` only names it in errors.
///
/// # Errors
///
/// A [`DataError`] if a size is not a positive integer, a value is not a number, the text
/// ends early or has numbers left over.
///
/// ```
/// use dezero_adbench::data::parse_gmm;
///
/// // d = 1, k = 1, n = 2: alpha, mean, icf (1 number), two points, gamma and m.
/// let input = parse_gmm("1 1 2  0.5  0.1  -0.2  1.0 2.0  1.0 0", "t.txt".as_ref()).unwrap();
/// assert_eq!(input.x, vec![1.0, 2.0]);
/// assert_eq!((input.gamma, input.m), (1.0, 0));
/// ```
pub fn parse_gmm(text: &str, file: &Path) -> Result<GmmInput, DataError> {
    let mut t = Tokens::new(text, file);
    let d = t.size("d")?;
    let k = t.size("k")?;
    let n = t.size("n")?;
    let alphas = t.numbers(k, "alphas")?;
    let means = t.numbers(k * d, "means")?;
    let icf = t.numbers(k * (d * (d + 1) / 2), "icf")?;
    let x = t.numbers(n * d, "points")?;
    let gamma = t.number("gamma")?;
    let m = t.integer("m")?;
    t.finish()?;
    Ok(GmmInput {
        d,
        k,
        n,
        alphas,
        means,
        icf,
        x,
        gamma,
        m,
    })
}

/// Parses the text of a BA file and expands ADBench's replication rule; `file` only names it
/// in errors.
///
/// # Errors
///
/// A [`DataError`] if a size is not a positive integer, a value is not a number, the text
/// ends early or has numbers left over.
///
/// ```
/// use dezero_adbench::data::parse_ba;
///
/// let text = "2 3 4  0 0 0 0 0 0 1 0 0 0 0  1 2 3  0.5  10 20";
/// let input = parse_ba(text, "t.txt".as_ref()).unwrap();
/// assert_eq!(input.obs, vec![[0, 0], [1, 1], [0, 2], [1, 0]]);
/// assert_eq!(input.features.len(), 8);
/// ```
pub fn parse_ba(text: &str, file: &Path) -> Result<BaInput, DataError> {
    let mut t = Tokens::new(text, file);
    let n = t.size("n (cameras)")?;
    let m = t.size("m (points)")?;
    let p = t.size("p (observations)")?;
    let cam = t.numbers(CAM_PARAMS, "camera")?;
    let point = t.numbers(3, "point")?;
    let w = t.number("weight")?;
    let feature = t.numbers(2, "feature")?;
    t.finish()?;
    Ok(BaInput {
        n,
        m,
        p,
        cams: cam.repeat(n),
        points: point.repeat(m),
        weights: vec![w; p],
        features: feature.repeat(p),
        obs: (0..p).map(|i| [i % n, i % m]).collect(),
    })
}

fn read(path: &Path) -> Result<String, DataError> {
    std::fs::read_to_string(path).map_err(|e| DataError {
        file: path.to_path_buf(),
        what: format!("cannot read: {e}"),
    })
}

/// The whitespace-separated tokens of one file, read in order.
struct Tokens<'a> {
    file: &'a Path,
    tokens: std::str::SplitWhitespace<'a>,
}

impl<'a> Tokens<'a> {
    fn new(text: &'a str, file: &'a Path) -> Self {
        Tokens {
            file,
            tokens: text.split_whitespace(),
        }
    }

    fn error(&self, what: String) -> DataError {
        DataError {
            file: self.file.to_path_buf(),
            what,
        }
    }

    /// A positive integer size.
    fn size(&mut self, field: &str) -> Result<usize, DataError> {
        let v = self.integer(field)?;
        if v == 0 {
            return Err(self.error(format!("{field}: must be positive, found 0")));
        }
        Ok(v)
    }

    /// A non-negative integer.
    fn integer(&mut self, field: &str) -> Result<usize, DataError> {
        let token = self
            .tokens
            .next()
            .ok_or_else(|| self.error(format!("{field}: missing, the file ends")))?;
        token
            .parse()
            .map_err(|_| self.error(format!("{field}: `{token}` is not a non-negative integer")))
    }

    fn number(&mut self, field: &str) -> Result<f64, DataError> {
        Ok(self.numbers(1, field)?[0])
    }

    fn numbers(&mut self, count: usize, field: &str) -> Result<Vec<f64>, DataError> {
        let mut out = Vec::with_capacity(count);
        for i in 0..count {
            let token = self.tokens.next().ok_or_else(|| {
                self.error(format!(
                    "{field}: expected {count} numbers, the file ends after {i}"
                ))
            })?;
            let v: f64 = token.parse().map_err(|_| {
                self.error(format!("{field}: number {i} `{token}` is not a number"))
            })?;
            if !v.is_finite() {
                return Err(self.error(format!("{field}: number {i} `{token}` is not finite")));
            }
            out.push(v);
        }
        Ok(out)
    }

    fn finish(mut self) -> Result<(), DataError> {
        match self.tokens.next() {
            None => Ok(()),
            Some(token) => Err(self.error(format!("unexpected `{token}` after the last field"))),
        }
    }
}
