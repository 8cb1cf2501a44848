//! The PDF/A-2b facts (ISO 19005-2, conformance level B) that the rest of the file cannot
//! state by itself: the XMP metadata packet, which must say what the document information
//! dictionary says, and the sRGB output intent that gives device colours their meaning.
//!
//! printpdf has a PDF/A mode, but it writes a PDF/X output intent and no XMP, so it is not
//! used: everything here is ours.

use lopdf::{Dictionary, Object, ObjectId, Stream, StringFormat};

/// The sRGB IEC61966-2.1 ICC profile (v4.2, 480 bytes, CC0; see `data/README.md`).
pub(super) const SRGB_PROFILE: &[u8] = include_bytes!("../../../data/sRGB-v4.icc");

/// The name of the output condition, as the ICC registry spells it.
pub(super) const SRGB_CONDITION: &str = "sRGB IEC61966-2.1";

/// Colour components of the output profile (RGB).
const SRGB_COMPONENTS: i64 = 3;

/// The PDF/A part claimed.
const PDFA_PART: u8 = 2;
/// The conformance level claimed when every glyph drawn maps to Unicode text: PDF/A-2u
/// (the pages look the same in future, and their text can be extracted).
const PDFA_UNICODE: &str = "U";
/// The level claimed otherwise (a glyph that stands for no text of its own, such as the
/// second glyph of a Devanagari conjunct): PDF/A-2b, the pages look the same in future.
const PDFA_BASIC: &str = "B";

/// The PDF/UA part claimed (ISO 14289-1): every file is tagged.
const PDFUA_PART: u8 = 1;

/// PDF/A accepts in XMP only the schemas XMP itself predefines, unless the packet describes
/// the others (ISO 19005-2, 6.6.2.3.3): `pdfuaid` is not predefined, so an archival file
/// carries this description of it.
const PDFUA_EXTENSION_SCHEMA: &str = "  <rdf:Description rdf:about=\"\"
    xmlns:pdfaExtension=\"http://www.aiim.org/pdfa/ns/extension/\"
    xmlns:pdfaSchema=\"http://www.aiim.org/pdfa/ns/schema#\"
    xmlns:pdfaProperty=\"http://www.aiim.org/pdfa/ns/property#\">
   <pdfaExtension:schemas>
    <rdf:Bag>
     <rdf:li rdf:parseType=\"Resource\">
      <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
      <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
      <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
      <pdfaSchema:property>
       <rdf:Seq>
        <rdf:li rdf:parseType=\"Resource\">
         <pdfaProperty:name>part</pdfaProperty:name>
         <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
         <pdfaProperty:category>internal</pdfaProperty:category>
         <pdfaProperty:description>Part of ISO 14289 to which the file conforms</pdfaProperty:description>
        </rdf:li>
       </rdf:Seq>
      </pdfaSchema:property>
     </rdf:li>
    </rdf:Bag>
   </pdfaExtension:schemas>
  </rdf:Description>
";

/// What the document information dictionary says, in the form the XMP packet repeats it.
/// PDF/A requires each entry of the one to equal its counterpart in the other.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct DocumentFacts {
    /// `/Title` ↔ `dc:title`.
    pub title: String,
    /// `/Author` ↔ `dc:creator`.
    pub author: Option<String>,
    /// `/Subject` ↔ `dc:description`.
    pub subject: Option<String>,
    /// `/Creator` ↔ `xmp:CreatorTool`.
    pub creator_tool: String,
    /// `/Producer` ↔ `pdf:Producer`.
    pub producer: String,
    /// The catalog's `/Lang` ↔ `dc:language`.
    pub language: Option<String>,
    /// `/CreationDate` and `/ModDate` ↔ `xmp:CreateDate`, `xmp:ModifyDate` (and
    /// `xmp:MetadataDate`): the one build date.
    pub date: chrono::DateTime<chrono::Utc>,
    /// Every glyph drawn maps to Unicode text (ISO 19005-2, 6.2.11.7.2), so an archival
    /// file may claim level U rather than B.
    pub unicode_text: bool,
}

/// Escape text for XML character data and attribute values. Characters XML 1.0 cannot
/// hold at all (most C0 controls) become U+FFFD, so the packet always parses.
fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if u32::from(c) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push('\u{FFFD}');
            }
            c => out.push(c),
        }
    }
}

fn element(out: &mut String, name: &str, text: &str) {
    out.push_str("   <");
    out.push_str(name);
    out.push('>');
    escape(text, out);
    out.push_str("</");
    out.push_str(name);
    out.push_str(">\n");
}

/// A language alternative with only the default entry (`dc:title`, `dc:description`).
fn alternative(out: &mut String, name: &str, text: &str) {
    out.push_str(&format!(
        "   <{name}><rdf:Alt><rdf:li xml:lang=\"x-default\">"
    ));
    escape(text, out);
    out.push_str(&format!("</rdf:li></rdf:Alt></{name}>\n"));
}

/// An ordered (`Seq`) or unordered (`Bag`) array.
fn array(out: &mut String, name: &str, kind: &str, items: &[&str]) {
    out.push_str(&format!("   <{name}><rdf:{kind}>"));
    for item in items {
        out.push_str("<rdf:li>");
        escape(item, out);
        out.push_str("</rdf:li>");
    }
    out.push_str(&format!("</rdf:{kind}></{name}>\n"));
}

/// The XMP packet (UTF-8) stating PDF/UA-1 conformance, and with `archival` PDF/A-2b
/// conformance, and repeating `facts`.
pub(super) fn xmp_packet(facts: &DocumentFacts, archival: bool) -> String {
    let date = facts.date.format("%Y-%m-%dT%H:%M:%S+00:00").to_string();
    let mut out = String::new();
    // The byte-order mark in `begin` is what the XMP specification asks for.
    out.push_str("<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n");
    out.push_str("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n");
    out.push_str(" <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n");
    if archival {
        out.push_str(PDFUA_EXTENSION_SCHEMA);
    }
    out.push_str("  <rdf:Description rdf:about=\"\"\n");
    out.push_str("    xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"\n");
    out.push_str("    xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\"\n");
    out.push_str("    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n");
    out.push_str("    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n");
    out.push_str("    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n");
    if archival {
        element(&mut out, "pdfaid:part", &PDFA_PART.to_string());
        let level = if facts.unicode_text {
            PDFA_UNICODE
        } else {
            PDFA_BASIC
        };
        element(&mut out, "pdfaid:conformance", level);
    }
    element(&mut out, "pdfuaid:part", &PDFUA_PART.to_string());
    element(&mut out, "dc:format", "application/pdf");
    alternative(&mut out, "dc:title", &facts.title);
    if let Some(author) = &facts.author {
        // One entry holding exactly the `/Author` text: validators (veraPDF) take Author
        // and dc:creator to agree only when the sequence has a single entry equal to it.
        array(&mut out, "dc:creator", "Seq", &[author]);
    }
    if let Some(subject) = &facts.subject {
        alternative(&mut out, "dc:description", subject);
    }
    if let Some(language) = &facts.language {
        array(&mut out, "dc:language", "Bag", &[language]);
    }
    element(&mut out, "xmp:CreatorTool", &facts.creator_tool);
    element(&mut out, "xmp:CreateDate", &date);
    element(&mut out, "xmp:ModifyDate", &date);
    element(&mut out, "xmp:MetadataDate", &date);
    element(&mut out, "pdf:Producer", &facts.producer);
    out.push_str("  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n");
    out.push_str("<?xpacket end=\"w\"?>");
    out
}

/// Add the XMP packet as an uncompressed metadata stream (so that tools which do not
/// parse PDF can still find it) and return its object. Every file has one (PDF/UA wants
/// its claim and the title there); only an `archival` one claims PDF/A.
pub(super) fn add_metadata(
    doc: &mut lopdf::Document,
    facts: &DocumentFacts,
    archival: bool,
) -> ObjectId {
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"Metadata".to_vec()));
    dict.set("Subtype", Object::Name(b"XML".to_vec()));
    let packet = xmp_packet(facts, archival).into_bytes();
    doc.add_object(Stream::new(dict, packet).with_compression(false))
}

/// Add the sRGB output intent (`/GTS_PDFA1`, embedded profile) and return the
/// `/OutputIntents` array for the catalog.
pub(super) fn add_output_intent(doc: &mut lopdf::Document) -> Object {
    let mut profile = Dictionary::new();
    profile.set("N", Object::Integer(SRGB_COMPONENTS));
    let profile =
        doc.add_object(Stream::new(profile, SRGB_PROFILE.to_vec()).with_compression(false));
    let literal = |s: &str| Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    let mut intent = Dictionary::new();
    intent.set("Type", Object::Name(b"OutputIntent".to_vec()));
    intent.set("S", Object::Name(b"GTS_PDFA1".to_vec()));
    intent.set("OutputConditionIdentifier", literal(SRGB_CONDITION));
    intent.set("Info", literal(SRGB_CONDITION));
    intent.set("RegistryName", literal("http://www.color.org"));
    intent.set("DestOutputProfile", Object::Reference(profile));
    Object::Array(vec![Object::Reference(doc.add_object(intent))])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> DocumentFacts {
        DocumentFacts {
            title: "Tom & Jerry <\"live\"> \u{7}".into(),
            author: Some("Ann O'Neil, Bo".into()),
            subject: None,
            creator_tool: "presswork".into(),
            producer: "presswork 0".into(),
            language: Some("en".into()),
            date: chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("date"),
            unicode_text: false,
        }
    }

    #[test]
    fn packet_parses_and_escapes_what_it_repeats() {
        let packet = xmp_packet(&facts(), true);
        let xml = roxmltree::Document::parse(&packet).expect("well-formed XML");
        let text = |local: &str| {
            xml.descendants()
                .find(|n| n.tag_name().name() == local)
                .and_then(|n| {
                    n.descendants()
                        .filter(|d| d.is_text())
                        .map(|d| d.text().unwrap_or_default())
                        .next()
                })
                .map(str::to_owned)
        };
        assert_eq!(
            text("title").as_deref(),
            Some("Tom & Jerry <\"live\"> \u{FFFD}")
        );
        assert_eq!(text("creator").as_deref(), Some("Ann O'Neil, Bo"));
        assert_eq!(text("part").as_deref(), Some("2"));
        assert_eq!(text("conformance").as_deref(), Some("B"));
        assert_eq!(
            text("CreateDate").as_deref(),
            Some("2023-11-14T22:13:20+00:00")
        );
        assert!(!xml
            .descendants()
            .any(|n| n.has_tag_name(("http://purl.org/dc/elements/1.1/", "description"))));
        let ua = xml
            .descendants()
            .find(|n| n.has_tag_name(("http://www.aiim.org/pdfua/ns/id/", "part")))
            .and_then(|n| n.text());
        assert_eq!(ua, Some("1"));
        let described = xml
            .descendants()
            .filter(|n| n.tag_name().name() == "namespaceURI")
            .filter_map(|n| n.text())
            .collect::<Vec<_>>();
        assert_eq!(described, ["http://www.aiim.org/pdfua/ns/id/"]);
    }

    #[test]
    fn a_file_that_is_not_archival_claims_pdf_ua_only() {
        let packet = xmp_packet(&facts(), false);
        roxmltree::Document::parse(&packet).expect("well-formed XML");
        assert!(packet.contains("<pdfuaid:part>1</pdfuaid:part>"));
        assert!(!packet.contains("pdfaid:part"));
        assert!(!packet.contains("pdfaExtension"));
    }

    #[test]
    fn the_profile_is_an_rgb_display_profile() {
        // ICC header: size, 'acsp' signature, colour space 'RGB ', class 'mntr'.
        let size = u32::from_be_bytes([
            SRGB_PROFILE[0],
            SRGB_PROFILE[1],
            SRGB_PROFILE[2],
            SRGB_PROFILE[3],
        ]);
        assert_eq!(size as usize, SRGB_PROFILE.len());
        assert_eq!(&SRGB_PROFILE[36..40], b"acsp");
        assert_eq!(&SRGB_PROFILE[16..20], b"RGB ");
        assert_eq!(&SRGB_PROFILE[12..16], b"mntr");
    }
}
