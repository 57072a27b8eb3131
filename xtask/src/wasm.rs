//! The few parts of the WebAssembly binary format the build reads and writes: the sections, the
//! import section, the code section's function bodies, and the function names of the name section
//! (<https://webassembly.github.io/spec/core/binary/modules.html>, and the appendix for `name`).

use crate::util::Result;

/// The id of the import section.
const IMPORTS: u8 = 2;
/// The id of the code section.
const CODE: u8 = 10;
/// The name of the custom section (id 0) that names functions.
const NAME: &[u8] = b"name";
/// The subsection of the name section that names functions.
const FUNCTION_NAMES: u8 = 1;

/// One section of a module.
pub struct Section<'a> {
    /// Its id (0: custom).
    pub id: u8,
    /// Its contents, after the id and the size.
    pub body: &'a [u8],
}

/// The sections of a module, in file order.
pub fn sections(wasm: &[u8]) -> Result<Vec<Section<'_>>> {
    if wasm.get(..4) != Some(b"\0asm".as_slice()) || wasm.len() < 8 {
        return Err("the .wasm is malformed: no `\\0asm` header".to_owned());
    }
    let mut r = Reader { bytes: wasm, at: 8 };
    let mut sections = Vec::new();
    while r.at < wasm.len() {
        let id = r.byte()?;
        let len = r.len()?;
        sections.push(Section { id, body: r.take(len)? });
    }
    Ok(sections)
}

/// One import of a module.
#[derive(Debug, PartialEq)]
pub struct Import {
    /// The module it is imported from.
    pub module: String,
    /// Its name in that module.
    pub name: String,
    /// Whether it is a function (and so takes a function index, before every defined function).
    pub is_function: bool,
}

/// The imports of a module, in index order.
pub fn imports(wasm: &[u8]) -> Result<Vec<Import>> {
    let mut imports = Vec::new();
    for section in sections(wasm)?.iter().filter(|s| s.id == IMPORTS) {
        let mut r = Reader { bytes: section.body, at: 0 };
        for _ in 0..r.leb()? {
            let module = r.name()?;
            let name = r.name()?;
            // The import's description: its kind, then its type.
            let kind = r.byte()?;
            match kind {
                0 => r.leb().map(drop)?,
                1 => {
                    r.byte()?;
                    r.limits()?;
                }
                2 => r.limits()?,
                3 => {
                    r.byte()?;
                    r.byte()?;
                }
                _ => r.leb().map(drop)?,
            }
            imports.push(Import { module, name, is_function: kind == 0 });
        }
    }
    Ok(imports)
}

/// The bodies of the functions a module defines (the code section), in index order, each as it
/// is in the file: its size, its locals, its code.
pub fn function_bodies(wasm: &[u8]) -> Result<Vec<&[u8]>> {
    let mut bodies = Vec::new();
    for section in sections(wasm)?.iter().filter(|s| s.id == CODE) {
        let mut r = Reader { bytes: section.body, at: 0 };
        for _ in 0..r.leb()? {
            let start = r.at;
            let len = r.len()?;
            r.take(len)?;
            bodies.push(&section.body[start..r.at]);
        }
    }
    Ok(bodies)
}

/// The module with one name section that names function `i` `names[i]` (imported functions
/// first, as indices go) instead of the names it had; every other section unchanged.
pub fn with_function_names(wasm: &[u8], names: &[String]) -> Result<Vec<u8>> {
    let mut out = wasm[..8].to_vec();
    for section in sections(wasm)? {
        let is_name = section.id == 0 && Reader { bytes: section.body, at: 0 }.name_bytes()? == NAME;
        if !is_name {
            out.push(section.id);
            push_leb(&mut out, section.body.len() as u64);
            out.extend_from_slice(section.body);
        }
    }
    let mut map = Vec::new();
    push_leb(&mut map, names.len() as u64);
    for (index, name) in names.iter().enumerate() {
        push_leb(&mut map, index as u64);
        push_leb(&mut map, name.len() as u64);
        map.extend_from_slice(name.as_bytes());
    }
    let mut body = Vec::new();
    push_leb(&mut body, NAME.len() as u64);
    body.extend_from_slice(NAME);
    body.push(FUNCTION_NAMES);
    push_leb(&mut body, map.len() as u64);
    body.extend(map);
    // The name section goes last, where the format's appendix puts it (after the data section).
    out.push(0);
    push_leb(&mut out, body.len() as u64);
    out.extend(body);
    Ok(out)
}

/// Appends `value` as an unsigned LEB128.
fn push_leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// A cursor over bytes of a module; every read fails with where the module ended or went wrong.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self.bytes.get(self.at).ok_or_else(|| self.malformed("it ends early"))?;
        self.at += 1;
        Ok(b)
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8]> {
        let bytes = self.bytes.get(self.at..self.at.saturating_add(len)).ok_or_else(|| self.malformed("it ends early"))?;
        self.at += len;
        Ok(bytes)
    }

    fn leb(&mut self) -> Result<u64> {
        let (mut value, mut shift) = (0u64, 0);
        loop {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
            if shift > 63 {
                return Err(self.malformed("a number is too long"));
            }
        }
    }

    /// A size, which must fit in what is left.
    fn len(&mut self) -> Result<usize> {
        let len = self.leb()?;
        if len > (self.bytes.len() - self.at) as u64 {
            return Err(self.malformed("a size runs past the end"));
        }
        Ok(len as usize)
    }

    fn name_bytes(&mut self) -> Result<&'a [u8]> {
        let len = self.len()?;
        self.take(len)
    }

    fn name(&mut self) -> Result<String> {
        Ok(String::from_utf8_lossy(self.name_bytes()?).into_owned())
    }

    fn limits(&mut self) -> Result<()> {
        let flags = self.byte()?;
        self.leb()?;
        if flags & 1 != 0 {
            self.leb()?;
        }
        Ok(())
    }

    fn malformed(&self, what: &str) -> String {
        format!("the .wasm is malformed: {what} (byte {} of a {}-byte part)", self.at, self.bytes.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(module (import "wbg" "f" (func)) (import "env" "m" (memory 1)) (func) (func nop))`,
    /// with a name section naming the two defined functions `a` and `b`.
    fn module() -> Vec<u8> {
        [
            b"\0asm".as_slice(),
            &[1, 0, 0, 0],
            &[1, 4, 1, 0x60, 0, 0],
            &[2, 18, 2, 3, b'w', b'b', b'g', 1, b'f', 0, 0, 3, b'e', b'n', b'v', 1, b'm', 2, 0, 1],
            &[3, 3, 2, 0, 0],
            &[10, 8, 2, 2, 0, 0x0b, 3, 0, 0x01, 0x0b],
            &[0, 14, 4, b'n', b'a', b'm', b'e', 1, 7, 2, 1, 1, b'a', 2, 1, b'b'],
        ]
        .concat()
    }

    #[test]
    fn reads_imports_and_bodies() {
        let wasm = module();
        let import =
            |module: &str, name: &str, is_function| Import { module: module.into(), name: name.into(), is_function };
        assert_eq!(imports(&wasm).unwrap(), [import("wbg", "f", true), import("env", "m", false)]);
        assert_eq!(function_bodies(&wasm).unwrap(), [[2, 0, 0x0b].as_slice(), &[3, 0, 0x01, 0x0b]]);
        assert_eq!(sections(&wasm).unwrap().iter().map(|s| s.id).collect::<Vec<_>>(), [1, 2, 3, 10, 0]);
    }

    #[test]
    fn replaces_the_function_names() {
        let wasm = module();
        let names = ["0", "2", "1"].map(String::from);
        let named = with_function_names(&wasm, &names).unwrap();
        let name_section = [0, 17, 4, b'n', b'a', b'm', b'e', 1, 10, 3, 0, 1, b'0', 1, 1, b'2', 2, 1, b'1'];
        let without_names = wasm.len() - 16;
        assert_eq!(named, [&wasm[..without_names], &name_section].concat());
        assert_eq!(function_bodies(&named).unwrap(), function_bodies(&wasm).unwrap());
    }

    #[test]
    fn malformed_modules_are_errors() {
        let wasm = module();
        assert!(sections(b"nope").is_err());
        // Cut inside the code section, and a code section whose body size runs past its end.
        assert!(function_bodies(&wasm[..wasm.len() - 20]).is_err());
        let mut bad = wasm.clone();
        let code = bad.len() - 16 - 10;
        bad[code + 3] = 9;
        assert!(function_bodies(&bad).is_err());
        assert!(with_function_names(&bad, &[]).is_ok(), "only the code section is wrong");
    }
}
