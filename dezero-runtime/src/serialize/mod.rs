//! Saving and loading parameters as `.npz` archives (DeZero step 53), readable and writable by
//! NumPy: [`save_npz`] / [`load_npz`] for named arrays, and [`Layer::save_weights`] /
//! [`Layer::load_weights`] for a model, with DeZero's keys (`l0/W`, `l0/b`, ...).
//!
//! Archives are written as `np.savez_compressed` writes them (one deflated `<key>.npy` per
//! array, `<f8` in C order), so `np.load(path)["l0/W"]` reads them. Loading accepts stored or
//! deflated entries of `f8`, `f4` (DeZero's default dtype), `i8` or `i4` arrays.
//!
//! ```
//! use dezero_runtime::serialize::{load_npz, save_npz};
//! let path = std::env::temp_dir().join("dezero_doc_serialize.npz");
//! let w = ndarray::array![[1.0, 2.0], [3.0, 4.0]].into_dyn();
//! save_npz(&path, &[("l0/W", w.view())])?;
//! let arrays = load_npz(&path)?;
//! assert_eq!(arrays, [("l0/W".to_string(), w)]);
//! # std::fs::remove_file(&path).ok();
//! # Ok::<(), dezero_runtime::serialize::NpzError>(())
//! ```
//!
//! [`Layer::save_weights`]: crate::layers::Layer::save_weights
//! [`Layer::load_weights`]: crate::layers::Layer::load_weights

mod npy;

use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;

use ndarray::{ArrayD, ArrayViewD};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::layers::Layer;

/// Why an `.npz` archive could not be written, read, or loaded into a model.
#[derive(Debug)]
#[non_exhaustive]
pub enum NpzError {
    /// The file could not be created, written or read.
    Io(std::io::Error),
    /// The file is not a zip archive this reader understands.
    Zip(String),
    /// An entry is not a `.npy` array of a supported dtype.
    Npy {
        /// The array's key (the entry's name without `.npy`).
        key: String,
        /// What is wrong with it.
        message: String,
    },
    /// A parameter of the model has no array in the archive.
    MissingKey(String),
    /// A parameter's array in the archive has another shape than the parameter.
    Shape {
        /// The parameter's key.
        key: String,
        /// The parameter's shape.
        expected: Vec<usize>,
        /// The shape in the archive.
        found: Vec<usize>,
    },
    /// A parameter to save has no data yet (a layer whose input size is not known).
    NoData(String),
}

impl fmt::Display for NpzError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NpzError::Io(e) => write!(f, "npz: {e}"),
            NpzError::Zip(e) => write!(f, "npz: not a readable zip archive: {e}"),
            NpzError::Npy { key, message } => write!(f, "npz: array {key:?}: {message}"),
            NpzError::MissingKey(key) => write!(f, "npz: the archive has no array {key:?}"),
            NpzError::Shape { key, expected, found } => write!(
                f,
                "npz: array {key:?} has shape {found:?}, the parameter has shape {expected:?}"
            ),
            NpzError::NoData(key) => write!(
                f,
                "npz: parameter {key:?} has no data yet; run the model once (or give the input size) before saving"
            ),
        }
    }
}

impl std::error::Error for NpzError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            NpzError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for NpzError {
    fn from(e: std::io::Error) -> Self {
        NpzError::Io(e)
    }
}

impl From<zip::result::ZipError> for NpzError {
    fn from(e: zip::result::ZipError) -> Self {
        match e {
            zip::result::ZipError::Io(e) => NpzError::Io(e),
            e => NpzError::Zip(e.to_string()),
        }
    }
}

/// Writes named arrays to `path` as `np.savez_compressed(path, **arrays)` does; on error, the
/// partly written file is removed (as DeZero's `save_weights` does).
///
/// # Errors
/// [`NpzError::Io`] if the file cannot be written.
///
/// ```
/// let path = std::env::temp_dir().join("dezero_doc_save_npz.npz");
/// let b = ndarray::Array1::<f64>::zeros(3).into_dyn();
/// dezero_runtime::serialize::save_npz(&path, &[("b", b.view())])?;
/// assert!(path.exists());
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), dezero_runtime::serialize::NpzError>(())
/// ```
pub fn save_npz(
    path: impl AsRef<Path>,
    arrays: &[(&str, ArrayViewD<'_, f64>)],
) -> Result<(), NpzError> {
    let path = path.as_ref();
    let result = write_npz(path, arrays);
    if result.is_err() {
        let _ = std::fs::remove_file(path);
    }
    result
}

fn write_npz(path: &Path, arrays: &[(&str, ArrayViewD<'_, f64>)]) -> Result<(), NpzError> {
    let mut zip = ZipWriter::new(BufWriter::new(File::create(path)?));
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .large_file(arrays.iter().any(|(_, a)| a.len() * 8 >= u32::MAX as usize));
    for (key, array) in arrays {
        zip.start_file(format!("{key}.npy"), options)?;
        zip.write_all(&npy::encode(array.view()))?;
    }
    zip.finish()?.flush()?;
    Ok(())
}

/// Reads every array of an `.npz` archive, in archive order, with its key (the entry's name
/// without `.npy`, as `np.load(path).files` lists them).
///
/// # Errors
/// [`NpzError::Io`] if the file cannot be read, [`NpzError::Zip`] if it is not a zip
/// archive, [`NpzError::Npy`] if an entry is not an array of a supported dtype.
///
/// ```
/// let path = std::env::temp_dir().join("dezero_doc_load_npz.npz");
/// let a = ndarray::array![1.5, 2.5].into_dyn();
/// dezero_runtime::serialize::save_npz(&path, &[("a", a.view())])?;
/// let arrays = dezero_runtime::serialize::load_npz(&path)?;
/// assert_eq!(arrays[0].0, "a");
/// assert_eq!(arrays[0].1, a);
/// # std::fs::remove_file(&path).ok();
/// # Ok::<(), dezero_runtime::serialize::NpzError>(())
/// ```
pub fn load_npz(path: impl AsRef<Path>) -> Result<Vec<(String, ArrayD<f64>)>, NpzError> {
    let mut zip = ZipArchive::new(File::open(path)?)?;
    let mut arrays = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        let name = entry.name().to_string();
        let key = name.strip_suffix(".npy").unwrap_or(&name).to_string();
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut bytes)?;
        let array = npy::decode(&bytes).map_err(|message| NpzError::Npy {
            key: key.clone(),
            message,
        })?;
        arrays.push((key, array));
    }
    Ok(arrays)
}

/// [`Layer::save_weights`]: every parameter under its [`named_params`](Layer::named_params) key.
pub(crate) fn save_weights(layer: &(impl Layer + ?Sized), path: &Path) -> Result<(), NpzError> {
    let params = layer.named_params();
    let guards = params
        .iter()
        .map(|(key, p)| p.try_data().ok_or_else(|| NpzError::NoData(key.clone())))
        .collect::<Result<Vec<_>, _>>()?;
    let arrays: Vec<(&str, ArrayViewD<'_, f64>)> = params
        .iter()
        .zip(&guards)
        .map(|((key, _), data)| (key.as_str(), data.view()))
        .collect();
    save_npz(path, &arrays)
}

/// [`Layer::load_weights`]: checks every key and shape first, then sets all parameters.
pub(crate) fn load_weights(layer: &(impl Layer + ?Sized), path: &Path) -> Result<(), NpzError> {
    let mut arrays = load_npz(path)?;
    let mut updates = Vec::new();
    for (key, param) in layer.named_params() {
        let at = arrays
            .iter()
            .position(|(k, _)| *k == key)
            .ok_or_else(|| NpzError::MissingKey(key.clone()))?;
        let (_, array) = arrays.swap_remove(at);
        if let Some(data) = param.try_data() {
            if data.shape() != array.shape() {
                return Err(NpzError::Shape {
                    key,
                    expected: data.shape().to_vec(),
                    found: array.shape().to_vec(),
                });
            }
        }
        updates.push((param, array));
    }
    for (param, array) in updates {
        param.set_data(array);
    }
    Ok(())
}
