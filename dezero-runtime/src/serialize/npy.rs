//! The `.npy` format of one array (NumPy's `format.write_array` / `read_array`), for `f64`
//! arrays: written as `<f8` in C order; read from `f8`, `f4`, `i8` or `i4` of either byte order
//! and either memory order.

use ndarray::{ArrayD, ArrayViewD, IxDyn, ShapeBuilder};

const MAGIC: &[u8] = b"\x93NUMPY";

/// The `.npy` bytes of `a`: format version 1.0, `<f8`, C order, the header padded to 64 bytes.
pub(crate) fn encode(a: ArrayViewD<'_, f64>) -> Vec<u8> {
    let shape = match a.shape() {
        [n] => format!("({n},)"),
        dims => format!(
            "({})",
            dims.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}");
    // As NumPy's `_wrap_header`: room for the first axis to grow to 21 digits, then spaces
    // up to a multiple of 64 bytes with the '\n' (a whole 64 more if already aligned).
    if let Some(first) = a.shape().first() {
        header.push_str(&" ".repeat(21usize.saturating_sub(first.to_string().len())));
    }
    let unpadded = MAGIC.len() + 4 + header.len() + 1;
    header.push_str(&" ".repeat(64 - unpadded % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + a.len() * 8);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[1, 0]);
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for &v in a.iter() {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

/// The array in `.npy` bytes, converted to `f64`; `Err` says what is wrong.
pub(crate) fn decode(bytes: &[u8]) -> Result<ArrayD<f64>, String> {
    if bytes.len() < 10 || &bytes[..6] != MAGIC {
        return Err("not a .npy array (bad magic)".into());
    }
    let (header_len, start) = match bytes[6] {
        1 => (usize::from(u16::from_le_bytes([bytes[8], bytes[9]])), 10),
        2 | 3 if bytes.len() >= 12 => {
            let n = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
            (n as usize, 12)
        }
        v => return Err(format!("unsupported .npy format version {v}")),
    };
    let header = bytes
        .get(start..start + header_len)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or("truncated or non-text .npy header")?;
    let descr = field(header, "descr")?;
    let descr = descr.trim_matches(|c| c == '\'' || c == '"');
    let fortran = match field(header, "fortran_order")? {
        "True" => true,
        "False" => false,
        other => return Err(format!("bad fortran_order {other:?}")),
    };
    let shape = parse_shape(field(header, "shape")?)?;
    let (little, kind) = match descr.as_bytes() {
        [b'<' | b'|', rest @ ..] => (true, rest),
        [b'>', rest @ ..] => (false, rest),
        _ => return Err(format!("unsupported dtype {descr:?}")),
    };
    let size = match kind {
        b"f8" | b"i8" => 8,
        b"f4" | b"i4" => 4,
        _ => {
            return Err(format!(
                "unsupported dtype {descr:?} (expected float64, float32, int64 or int32)"
            ))
        }
    };
    let count: usize = shape.iter().product();
    let data = &bytes[start + header_len..];
    if data.len() != count * size {
        return Err(format!(
            "{} data bytes for shape {shape:?} of {descr}",
            data.len()
        ));
    }
    let values: Vec<f64> = data
        .chunks_exact(size)
        .map(|c| {
            let mut b = [0u8; 8];
            b[..size].copy_from_slice(c);
            if !little {
                b[..size].reverse();
            }
            match kind {
                b"f8" => f64::from_le_bytes(b),
                b"i8" => i64::from_le_bytes(b) as f64,
                b"f4" => f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
                _ => f64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            }
        })
        .collect();
    let array = ArrayD::from_shape_vec(IxDyn(&shape).set_f(fortran), values)
        .map_err(|e| format!("shape {shape:?}: {e}"))?;
    Ok(if fortran {
        array.as_standard_layout().into_owned()
    } else {
        array
    })
}

/// The text of `'key': value` in a header dict (value up to the next top-level comma).
fn field<'h>(header: &'h str, key: &str) -> Result<&'h str, String> {
    let at = header
        .find(&format!("'{key}'"))
        .ok_or_else(|| format!("the .npy header has no '{key}'"))?;
    let rest = header[at + key.len() + 2..].trim_start();
    let rest = rest
        .strip_prefix(':')
        .ok_or("malformed .npy header")?
        .trim_start();
    let end = if rest.starts_with('(') {
        rest.find(')').map(|i| i + 1)
    } else {
        rest.find([',', '}'])
    };
    Ok(rest[..end.ok_or("malformed .npy header")?].trim())
}

/// `(2, 3)`, `(3,)` or `()` as a shape.
fn parse_shape(text: &str) -> Result<Vec<usize>, String> {
    let inner = text
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .ok_or_else(|| format!("bad shape {text:?}"))?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|_| format!("bad shape {text:?}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn round_trip_keeps_shape_and_bits() {
        for a in [
            array![[1.0, -2.5, 3.0], [f64::MIN_POSITIVE, 1e300, -0.0]].into_dyn(),
            array![0.1, 0.2].into_dyn(),
            ndarray::arr0(7.0).into_dyn(),
            ArrayD::zeros(IxDyn(&[0, 3])),
        ] {
            let bytes = encode(a.view());
            assert_eq!(
                (bytes.len() - a.len() * 8) % 64,
                0,
                "header padded to 64 bytes"
            );
            let b = decode(&bytes).unwrap();
            assert_eq!(a.shape(), b.shape());
            assert!(a
                .iter()
                .zip(b.iter())
                .all(|(x, y)| x.to_bits() == y.to_bits()));
        }
    }

    #[test]
    fn header_is_numpys_byte_for_byte() {
        // np.lib.format.write_array of np.zeros((1, 3)), np.zeros(1), np.array(1.0): each a
        // 118-byte header (10 + 118 = 128).
        for (a, dict) in [
            (
                ArrayD::zeros(IxDyn(&[1, 3])),
                "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3), }",
            ),
            (
                ArrayD::zeros(IxDyn(&[1])),
                "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }",
            ),
            (
                ArrayD::zeros(IxDyn(&[])),
                "{'descr': '<f8', 'fortran_order': False, 'shape': (), }",
            ),
        ] {
            let bytes = encode(a.view());
            assert_eq!(&bytes[..10], b"\x93NUMPY\x01\x00v\x00");
            let header = std::str::from_utf8(&bytes[10..128]).unwrap();
            assert_eq!(header, format!("{dict:<117}\n"));
            assert_eq!(bytes.len(), 128 + 8 * a.len());
        }
    }

    #[test]
    fn reads_fortran_order_and_other_dtypes() {
        // 2x2 [[1, 2], [3, 4]] stored column by column as big-endian int32.
        let header = "{'descr': '>i4', 'fortran_order': True, 'shape': (2, 2), }";
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
        bytes.extend_from_slice(header.as_bytes());
        for v in [1i32, 3, 2, 4] {
            bytes.extend_from_slice(&v.to_be_bytes());
        }
        assert_eq!(
            decode(&bytes).unwrap(),
            array![[1.0, 2.0], [3.0, 4.0]].into_dyn()
        );
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        assert!(decode(b"PK\x03\x04").unwrap_err().contains("bad magic"));
        let header = "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }";
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
        bytes.extend_from_slice(header.as_bytes());
        assert!(decode(&bytes).unwrap_err().contains("unsupported dtype"));
    }
}
