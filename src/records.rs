//! Registered import records and the per-namespace journal that replays them.
//!
//! A record binds exactly one name, so a journal is an ordered list of single-name import
//! statements. Replaying the journal in order has the effect of executing the registered
//! statements in registration order (seed 000, `register`: "Registration is idempotent, multiple
//! registrations are allowed"); re-registering an equal record moves it to the end.

/// The form of a record's statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// `import a.b` (binds `a`) or `import a.b as x` (binds `x` to `a.b`).
    Import,
    /// `from m import n` or `from m import n as k`.
    From,
    /// `from m import *`.
    Star,
}

impl RecordKind {
    /// The kind's name in the Python contract: `"import"`, `"from"` or `"star"`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Import => "import",
            RecordKind::From => "from",
            RecordKind::Star => "star",
        }
    }

    /// Parses [`RecordKind::as_str`]'s names; `None` for anything else.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "import" => Some(RecordKind::Import),
            "from" => Some(RecordKind::From),
            "star" => Some(RecordKind::Star),
            _ => None,
        }
    }
}

/// One registered import binding one name. `module` is absolute.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Record {
    /// The statement form.
    pub kind: RecordKind,
    /// The absolute module name (`a.b` in `import a.b`, `m` in `from m import n`).
    pub module: String,
    /// The imported name of a `From` record; `None` otherwise.
    pub name: Option<String>,
    /// The alias (`as x`), if any; `None` for star records.
    pub asname: Option<String>,
}

impl Record {
    /// The canonical statement text: `import a.b`, `import a.b as x`, `from m import n`,
    /// `from m import n as k` or `from m import *`.
    pub fn statement(&self) -> String {
        let alias = self.asname.as_ref().map(|a| format!(" as {a}")).unwrap_or_default();
        match self.kind {
            RecordKind::Import => format!("import {}{alias}", self.module),
            RecordKind::From => format!("from {} import {}{alias}", self.module, self.name.as_deref().unwrap_or("?")),
            RecordKind::Star => format!("from {} import *", self.module),
        }
    }
}

/// The ordered registrations of one namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Journal {
    records: Vec<Record>,
}

impl Journal {
    /// Appends `additional` in order; an earlier record equal to an appended one is removed, so
    /// it moves to the end. Equal records within `additional` keep their last position.
    pub fn extend(&mut self, additional: &[Record]) {
        self.records.retain(|r| !additional.contains(r));
        for (i, record) in additional.iter().enumerate() {
            if !additional[i + 1..].contains(record) {
                self.records.push(record.clone());
            }
        }
    }

    /// The records in replay order.
    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// True when nothing is registered.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(module: &str, name: &str) -> Record {
        Record { kind: RecordKind::From, module: module.into(), name: Some(name.into()), asname: None }
    }

    #[test]
    fn reregistering_moves_to_the_end() {
        let mut journal = Journal::default();
        journal.extend(&[from("s", "x"), from("s", "h")]);
        journal.extend(&[from("s", "x"), from("s", "l")]);
        let order: Vec<String> = journal.records().iter().map(Record::statement).collect();
        assert_eq!(order, ["from s import h", "from s import x", "from s import l"]);
    }

    #[test]
    fn duplicates_within_one_registration_keep_the_last() {
        let mut journal = Journal::default();
        journal.extend(&[from("a", "x"), from("b", "y"), from("a", "x")]);
        let order: Vec<String> = journal.records().iter().map(Record::statement).collect();
        assert_eq!(order, ["from b import y", "from a import x"]);
    }

    #[test]
    fn canonical_forms() {
        let import = Record { kind: RecordKind::Import, module: "a.b".into(), name: None, asname: Some("x".into()) };
        assert_eq!(import.statement(), "import a.b as x");
        let star = Record { kind: RecordKind::Star, module: "v".into(), name: None, asname: None };
        assert_eq!(star.statement(), "from v import *");
        assert_eq!(RecordKind::parse("star"), Some(RecordKind::Star));
        assert_eq!(RecordKind::parse("bogus"), None);
    }
}
