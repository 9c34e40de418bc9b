//! One response tree, written as the XML GeoReport v2 requires or as its JSON mapping (the Spark
//! convention: a list element becomes an array of its items, an element of fields an object).

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

pub enum Node {
    Text(String),
    Number(String),
    Bool(bool),
    Null,
    /// Fields in order.
    Object(Vec<(&'static str, Node)>),
    /// Items, each written as an element named by the first member.
    List(&'static str, Vec<Node>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    /// Splits `services.xml` into (`services`, Xml).
    pub fn split(file: &str) -> Option<(&str, Format)> {
        let (name, ext) = file.rsplit_once('.')?;
        match ext {
            "xml" => Some((name, Format::Xml)),
            "json" => Some((name, Format::Json)),
            _ => None,
        }
    }
}

pub fn text(s: impl Into<String>) -> Node {
    Node::Text(s.into())
}

pub fn opt(s: Option<String>) -> Node {
    s.map(Node::Text).unwrap_or(Node::Null)
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry are dropped (stored before the text rule, or
            // from elsewhere): one of them would break a whole list.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

fn xml(name: &str, node: &Node, out: &mut String) {
    match node {
        Node::Null => {
            out.push_str(&format!("<{name}/>"));
        }
        Node::Text(s) | Node::Number(s) => {
            out.push_str(&format!("<{name}>"));
            escape(s, out);
            out.push_str(&format!("</{name}>"));
        }
        Node::Bool(b) => out.push_str(&format!("<{name}>{b}</{name}>")),
        Node::Object(fields) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in fields {
                xml(k, v, out);
            }
            out.push_str(&format!("</{name}>"));
        }
        Node::List(item, items) => {
            out.push_str(&format!("<{name}>"));
            for v in items {
                xml(item, v, out);
            }
            out.push_str(&format!("</{name}>"));
        }
    }
}

fn json(node: &Node) -> serde_json::Value {
    use serde_json::Value;
    match node {
        Node::Null => Value::Null,
        Node::Text(s) => Value::String(s.clone()),
        Node::Number(s) => s
            .parse::<serde_json::Number>()
            .map(Value::Number)
            .unwrap_or_else(|_| Value::String(s.clone())),
        Node::Bool(b) => Value::Bool(*b),
        Node::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), json(v)))
                .collect(),
        ),
        Node::List(_, items) => Value::Array(items.iter().map(json).collect()),
    }
}

/// The response: `root` names the XML document element.
pub fn respond(status: StatusCode, format: Format, root: &str, node: &Node) -> Response {
    match format {
        Format::Xml => {
            let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            xml(root, node, &mut out);
            (
                status,
                [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
                out,
            )
                .into_response()
        }
        Format::Json => (
            status,
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            serde_json::to_string(&json(node)).expect("json"),
        )
            .into_response(),
    }
}

/// The specification's error document: `<errors><error><code/><description/></error></errors>`.
pub fn error(status: StatusCode, format: Format, description: &str) -> Response {
    let node = Node::List(
        "error",
        vec![Node::Object(vec![
            ("code", Node::Number(status.as_u16().to_string())),
            ("description", text(description)),
        ])],
    );
    respond(status, format, "errors", &node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_become_repeated_elements_or_arrays() {
        let n = Node::List(
            "service",
            vec![Node::Object(vec![
                ("service_code", text("a&b")),
                ("metadata", Node::Bool(true)),
                ("keywords", Node::Null),
            ])],
        );
        let mut out = String::new();
        xml("services", &n, &mut out);
        assert_eq!(
            out,
            "<services><service><service_code>a&amp;b</service_code><metadata>true</metadata><keywords/></service></services>"
        );
        assert_eq!(
            json(&n).to_string(),
            r#"[{"keywords":null,"metadata":true,"service_code":"a&b"}]"#
        );
    }

    #[test]
    fn characters_xml_cannot_carry_are_dropped_and_the_rest_kept() {
        let mut out = String::new();
        escape("路灯\u{FFFE}不亮\u{FFFF}\u{1}\t<&>", &mut out);
        assert_eq!(out, "路灯不亮\t&lt;&amp;&gt;");
    }
}
