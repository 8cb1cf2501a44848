//! The words a book prints around its text ("Contents", "Notes", "About this book", the
//! colophon's terms), in the book's language. Built-in tables give the common languages;
//! `[labels]` in `book.toml` sets any of them (for another language, or other words).
//! A word a table lacks stays English.

/// The words of a book's furniture, resolved once at load time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    /// The table of contents (EPUB nav and NCX).
    pub contents: String,
    /// The EPUB's list of landmarks.
    pub landmarks: String,
    /// The cover page.
    pub cover: String,
    /// The title page.
    pub title_page: String,
    /// Where the text starts (EPUB landmark).
    pub start: String,
    /// The colophon page (EPUB landmark and document title).
    pub colophon: String,
    /// The colophon's heading.
    pub about: String,
    /// The heading of a chapter's endnotes.
    pub notes: String,
    /// Colophon term: the title.
    pub title: String,
    /// Colophon term: the authors.
    pub by: String,
    /// Colophon term: where the text comes from.
    pub source: String,
    /// Colophon term: the publisher.
    pub publisher: String,
    /// Imprint line before the publisher's name.
    pub published_by: String,
    /// Colophon term: a picture's credit.
    pub picture_credit: String,
    /// Colophon term: the rights statement.
    pub rights: String,
    /// Colophon term: the identifier.
    pub identifier: String,
    /// Colophon term: when the book was last changed.
    pub last_modified: String,
    /// Colophon term: the program that made the book.
    pub made_with: String,
    /// Imprint line before the edition's date.
    pub edition: String,
}

/// Every label's key in `[labels]`, in the order of [`Labels`]'s fields.
pub const LABEL_KEYS: [&str; 19] = [
    "contents",
    "landmarks",
    "cover",
    "title-page",
    "start",
    "colophon",
    "about",
    "notes",
    "title",
    "by",
    "source",
    "publisher",
    "published-by",
    "picture-credit",
    "rights",
    "identifier",
    "last-modified",
    "made-with",
    "edition",
];

/// English, and the words every other table falls back to.
const ENGLISH: [&str; 19] = [
    "Contents",
    "Landmarks",
    "Cover",
    "Title page",
    "Start of content",
    "Colophon",
    "About this book",
    "Notes",
    "Title",
    "By",
    "Source",
    "Publisher",
    "Published by",
    "Picture credit",
    "Rights",
    "Identifier",
    "Last modified",
    "Made with",
    "Edition of",
];

/// Built-in words by primary language subtag: `(key, word)` pairs; keys left out stay
/// English.
const TABLES: &[(&str, &[(&str, &str)])] = &[
    (
        "de",
        &[
            ("contents", "Inhalt"),
            ("landmarks", "Orientierungspunkte"),
            ("cover", "Umschlag"),
            ("title-page", "Titelseite"),
            ("start", "Textbeginn"),
            ("colophon", "Impressum"),
            ("about", "Über dieses Buch"),
            ("notes", "Anmerkungen"),
            ("title", "Titel"),
            ("by", "Von"),
            ("source", "Quelle"),
            ("publisher", "Verlag"),
            ("published-by", "Erschienen bei"),
            ("picture-credit", "Bildnachweis"),
            ("rights", "Rechte"),
            ("identifier", "Kennung"),
            ("last-modified", "Zuletzt geändert"),
            ("made-with", "Erstellt mit"),
            ("edition", "Ausgabe vom"),
        ],
    ),
    (
        "fr",
        &[
            ("contents", "Table des matières"),
            ("landmarks", "Repères"),
            ("cover", "Couverture"),
            ("title-page", "Page de titre"),
            ("start", "Début du texte"),
            ("colophon", "Colophon"),
            ("about", "À propos de ce livre"),
            ("notes", "Notes"),
            ("title", "Titre"),
            ("by", "Par"),
            ("source", "Source"),
            ("publisher", "Éditeur"),
            ("published-by", "Publié par"),
            ("picture-credit", "Crédit photo"),
            ("rights", "Droits"),
            ("identifier", "Identifiant"),
            ("last-modified", "Dernière modification"),
            ("made-with", "Réalisé avec"),
            ("edition", "Édition du"),
        ],
    ),
    (
        "es",
        &[
            ("contents", "Índice"),
            ("landmarks", "Puntos de referencia"),
            ("cover", "Cubierta"),
            ("title-page", "Portada"),
            ("start", "Inicio del texto"),
            ("colophon", "Colofón"),
            ("about", "Sobre este libro"),
            ("notes", "Notas"),
            ("title", "Título"),
            ("by", "Por"),
            ("source", "Fuente"),
            ("publisher", "Editorial"),
            ("published-by", "Publicado por"),
            ("picture-credit", "Crédito de la imagen"),
            ("rights", "Derechos"),
            ("identifier", "Identificador"),
            ("last-modified", "Última modificación"),
            ("made-with", "Hecho con"),
            ("edition", "Edición del"),
        ],
    ),
    (
        "it",
        &[
            ("contents", "Indice"),
            ("landmarks", "Punti di riferimento"),
            ("cover", "Copertina"),
            ("title-page", "Frontespizio"),
            ("start", "Inizio del testo"),
            ("colophon", "Colophon"),
            ("about", "Informazioni su questo libro"),
            ("notes", "Note"),
            ("title", "Titolo"),
            ("by", "Di"),
            ("source", "Fonte"),
            ("publisher", "Editore"),
            ("published-by", "Pubblicato da"),
            ("picture-credit", "Crediti fotografici"),
            ("rights", "Diritti"),
            ("identifier", "Identificativo"),
            ("last-modified", "Ultima modifica"),
            ("made-with", "Realizzato con"),
            ("edition", "Edizione del"),
        ],
    ),
    (
        "pt",
        &[
            ("contents", "Sumário"),
            ("landmarks", "Pontos de referência"),
            ("cover", "Capa"),
            ("title-page", "Folha de rosto"),
            ("start", "Início do texto"),
            ("colophon", "Colofão"),
            ("about", "Sobre este livro"),
            ("notes", "Notas"),
            ("title", "Título"),
            ("by", "Por"),
            ("source", "Fonte"),
            ("publisher", "Editora"),
            ("published-by", "Publicado por"),
            ("picture-credit", "Crédito da imagem"),
            ("rights", "Direitos"),
            ("identifier", "Identificador"),
            ("last-modified", "Última modificação"),
            ("made-with", "Feito com"),
            ("edition", "Edição de"),
        ],
    ),
    (
        "nl",
        &[
            ("contents", "Inhoud"),
            ("landmarks", "Oriëntatiepunten"),
            ("cover", "Omslag"),
            ("title-page", "Titelpagina"),
            ("start", "Begin van de tekst"),
            ("colophon", "Colofon"),
            ("about", "Over dit boek"),
            ("notes", "Noten"),
            ("title", "Titel"),
            ("by", "Door"),
            ("source", "Bron"),
            ("publisher", "Uitgever"),
            ("published-by", "Uitgegeven door"),
            ("picture-credit", "Beeldverantwoording"),
            ("rights", "Rechten"),
            ("identifier", "Identificatie"),
            ("last-modified", "Laatst gewijzigd"),
            ("made-with", "Gemaakt met"),
            ("edition", "Uitgave van"),
        ],
    ),
    (
        "sv",
        &[
            ("contents", "Innehåll"),
            ("cover", "Omslag"),
            ("title-page", "Titelsida"),
            ("colophon", "Kolofon"),
            ("about", "Om den här boken"),
            ("notes", "Noter"),
            ("title", "Titel"),
            ("by", "Av"),
            ("source", "Källa"),
            ("publisher", "Förlag"),
        ],
    ),
    (
        "da",
        &[
            ("contents", "Indhold"),
            ("cover", "Omslag"),
            ("title-page", "Titelblad"),
            ("colophon", "Kolofon"),
            ("about", "Om denne bog"),
            ("notes", "Noter"),
            ("title", "Titel"),
            ("by", "Af"),
            ("source", "Kilde"),
            ("publisher", "Forlag"),
        ],
    ),
    (
        "nb",
        &[
            ("contents", "Innhold"),
            ("cover", "Omslag"),
            ("title-page", "Tittelside"),
            ("colophon", "Kolofon"),
            ("about", "Om denne boken"),
            ("notes", "Noter"),
            ("title", "Tittel"),
            ("by", "Av"),
            ("source", "Kilde"),
            ("publisher", "Forlag"),
        ],
    ),
    (
        "fi",
        &[
            ("contents", "Sisällys"),
            ("cover", "Kansi"),
            ("title-page", "Nimiösivu"),
            ("colophon", "Kolofoni"),
            ("about", "Tietoa kirjasta"),
            ("notes", "Huomautukset"),
            ("title", "Nimi"),
            ("source", "Lähde"),
            ("publisher", "Kustantaja"),
        ],
    ),
    (
        "pl",
        &[
            ("contents", "Spis treści"),
            ("cover", "Okładka"),
            ("title-page", "Strona tytułowa"),
            ("colophon", "Metryka"),
            ("about", "O tej książce"),
            ("notes", "Przypisy"),
            ("title", "Tytuł"),
            ("source", "Źródło"),
            ("publisher", "Wydawca"),
        ],
    ),
    (
        "cs",
        &[
            ("contents", "Obsah"),
            ("cover", "Obálka"),
            ("title-page", "Titulní strana"),
            ("colophon", "Tiráž"),
            ("about", "O této knize"),
            ("notes", "Poznámky"),
            ("title", "Název"),
            ("source", "Zdroj"),
            ("publisher", "Nakladatel"),
        ],
    ),
    (
        "ru",
        &[
            ("contents", "Содержание"),
            ("landmarks", "Ориентиры"),
            ("cover", "Обложка"),
            ("title-page", "Титульный лист"),
            ("start", "Начало текста"),
            ("colophon", "Выходные данные"),
            ("about", "Об этой книге"),
            ("notes", "Примечания"),
            ("title", "Название"),
            ("by", "Автор"),
            ("source", "Источник"),
            ("publisher", "Издательство"),
            ("published-by", "Издательство"),
            ("picture-credit", "Фото"),
            ("rights", "Права"),
            ("identifier", "Идентификатор"),
            ("last-modified", "Последнее изменение"),
            ("made-with", "Сделано в"),
            ("edition", "Издание от"),
        ],
    ),
    (
        "uk",
        &[
            ("contents", "Зміст"),
            ("cover", "Обкладинка"),
            ("title-page", "Титульна сторінка"),
            ("colophon", "Вихідні дані"),
            ("about", "Про цю книгу"),
            ("notes", "Примітки"),
            ("title", "Назва"),
            ("source", "Джерело"),
            ("publisher", "Видавництво"),
        ],
    ),
    (
        "el",
        &[
            ("contents", "Περιεχόμενα"),
            ("cover", "Εξώφυλλο"),
            ("title-page", "Σελίδα τίτλου"),
            ("about", "Σχετικά με αυτό το βιβλίο"),
            ("notes", "Σημειώσεις"),
            ("title", "Τίτλος"),
            ("source", "Πηγή"),
            ("publisher", "Εκδότης"),
        ],
    ),
    (
        "tr",
        &[
            ("contents", "İçindekiler"),
            ("cover", "Kapak"),
            ("title-page", "Başlık sayfası"),
            ("colophon", "Künye"),
            ("about", "Bu kitap hakkında"),
            ("notes", "Notlar"),
            ("title", "Başlık"),
            ("source", "Kaynak"),
            ("publisher", "Yayınevi"),
        ],
    ),
    (
        "hi",
        &[
            ("contents", "विषय सूची"),
            ("cover", "आवरण"),
            ("title-page", "शीर्षक पृष्ठ"),
            ("about", "इस पुस्तक के बारे में"),
            ("notes", "टिप्पणियाँ"),
            ("title", "शीर्षक"),
            ("by", "लेखक"),
            ("source", "स्रोत"),
            ("publisher", "प्रकाशक"),
        ],
    ),
    (
        "bn",
        &[
            ("contents", "সূচিপত্র"),
            ("cover", "প্রচ্ছদ"),
            ("notes", "টীকা"),
            ("title", "শিরোনাম"),
            ("source", "উৎস"),
            ("publisher", "প্রকাশক"),
        ],
    ),
    (
        "ta",
        &[
            ("contents", "பொருளடக்கம்"),
            ("cover", "அட்டை"),
            ("notes", "குறிப்புகள்"),
            ("title", "தலைப்பு"),
            ("source", "மூலம்"),
            ("publisher", "பதிப்பாளர்"),
        ],
    ),
    (
        "ur",
        &[
            ("contents", "فہرست"),
            ("cover", "سرورق"),
            ("notes", "حواشی"),
            ("title", "عنوان"),
            ("source", "ماخذ"),
            ("publisher", "ناشر"),
        ],
    ),
    (
        "ar",
        &[
            ("contents", "المحتويات"),
            ("cover", "الغلاف"),
            ("title-page", "صفحة العنوان"),
            ("about", "عن هذا الكتاب"),
            ("notes", "ملاحظات"),
            ("title", "العنوان"),
            ("source", "المصدر"),
            ("publisher", "الناشر"),
        ],
    ),
    (
        "he",
        &[
            ("contents", "תוכן העניינים"),
            ("cover", "כריכה"),
            ("notes", "הערות"),
            ("title", "כותרת"),
            ("source", "מקור"),
            ("publisher", "הוצאה לאור"),
        ],
    ),
    (
        "zh",
        &[
            ("contents", "目录"),
            ("cover", "封面"),
            ("title-page", "书名页"),
            ("notes", "注释"),
            ("about", "关于本书"),
            ("title", "书名"),
            ("source", "来源"),
            ("publisher", "出版者"),
        ],
    ),
    (
        "ja",
        &[
            ("contents", "目次"),
            ("cover", "表紙"),
            ("title-page", "扉"),
            ("colophon", "奥付"),
            ("about", "この本について"),
            ("notes", "注"),
            ("title", "書名"),
            ("source", "出典"),
            ("publisher", "出版社"),
        ],
    ),
    (
        "ko",
        &[
            ("contents", "목차"),
            ("cover", "표지"),
            ("title-page", "속표지"),
            ("colophon", "판권"),
            ("about", "이 책에 대하여"),
            ("notes", "주"),
            ("title", "제목"),
            ("source", "출처"),
            ("publisher", "출판사"),
        ],
    ),
];

impl Default for Labels {
    fn default() -> Self {
        let mut labels = Labels::blank();
        for (key, word) in LABEL_KEYS.iter().zip(ENGLISH) {
            labels.set(key, word);
        }
        labels
    }
}

impl Labels {
    /// The built-in words for a BCP 47 tag (English where a table has none).
    pub fn for_language(tag: &str) -> Self {
        let tag = super::LanguageTag::parse(tag);
        let primary = match tag.primary.as_str() {
            "no" => "nb",
            other => other,
        };
        let mut labels = Labels::default();
        if let Some((_, table)) = TABLES.iter().find(|(language, _)| *language == primary) {
            for (key, word) in *table {
                labels.set(key, word);
            }
        }
        labels
    }

    /// Replace the label of `key` (one of [`LABEL_KEYS`]); `false` for an unknown key.
    pub fn set(&mut self, key: &str, word: &str) -> bool {
        match self.slot(key) {
            Some(slot) => {
                *slot = word.to_string();
                true
            }
            None => false,
        }
    }

    /// Every label, in [`LABEL_KEYS`] order (for the fonts: which characters the book
    /// prints).
    pub fn words(&self) -> [&str; 19] {
        [
            &self.contents,
            &self.landmarks,
            &self.cover,
            &self.title_page,
            &self.start,
            &self.colophon,
            &self.about,
            &self.notes,
            &self.title,
            &self.by,
            &self.source,
            &self.publisher,
            &self.published_by,
            &self.picture_credit,
            &self.rights,
            &self.identifier,
            &self.last_modified,
            &self.made_with,
            &self.edition,
        ]
    }

    /// The field a `[labels]` key names.
    fn slot(&mut self, key: &str) -> Option<&mut String> {
        Some(match key {
            "contents" => &mut self.contents,
            "landmarks" => &mut self.landmarks,
            "cover" => &mut self.cover,
            "title-page" => &mut self.title_page,
            "start" => &mut self.start,
            "colophon" => &mut self.colophon,
            "about" => &mut self.about,
            "notes" => &mut self.notes,
            "title" => &mut self.title,
            "by" => &mut self.by,
            "source" => &mut self.source,
            "publisher" => &mut self.publisher,
            "published-by" => &mut self.published_by,
            "picture-credit" => &mut self.picture_credit,
            "rights" => &mut self.rights,
            "identifier" => &mut self.identifier,
            "last-modified" => &mut self.last_modified,
            "made-with" => &mut self.made_with,
            "edition" => &mut self.edition,
            _ => return None,
        })
    }

    /// Every label empty, to be filled.
    fn blank() -> Self {
        Labels {
            contents: String::new(),
            landmarks: String::new(),
            cover: String::new(),
            title_page: String::new(),
            start: String::new(),
            colophon: String::new(),
            about: String::new(),
            notes: String::new(),
            title: String::new(),
            by: String::new(),
            source: String::new(),
            publisher: String::new(),
            published_by: String::new(),
            picture_credit: String::new(),
            rights: String::new(),
            identifier: String::new(),
            last_modified: String::new(),
            made_with: String::new(),
            edition: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_have_their_words_and_fall_back_to_english() {
        assert_eq!(Labels::for_language("en-GB"), Labels::default());
        let german = Labels::for_language("de-AT");
        assert_eq!(german.contents, "Inhalt");
        assert_eq!(german.notes, "Anmerkungen");
        let swedish = Labels::for_language("sv");
        assert_eq!(swedish.contents, "Innehåll");
        assert_eq!(
            swedish.made_with, "Made with",
            "a word the table lacks stays English"
        );
        assert_eq!(Labels::for_language("no").contents, "Innhold");
        assert_eq!(Labels::for_language("x-unknown"), Labels::default());
    }

    #[test]
    fn every_table_key_is_a_label_key() {
        for (language, table) in TABLES {
            for (key, word) in *table {
                assert!(LABEL_KEYS.contains(key), "{language}: {key}");
                assert!(!word.trim().is_empty(), "{language}: {key}");
            }
        }
    }

    #[test]
    fn every_key_names_its_own_label() {
        let mut labels = Labels::default();
        for key in LABEL_KEYS {
            assert!(labels.set(key, key), "{key}");
        }
        // Two keys sharing a field would read back the later key's name.
        for key in LABEL_KEYS {
            assert_eq!(labels.slot(key).map(|s| s.as_str()), Some(key));
        }
    }

    #[test]
    fn a_label_can_be_set() {
        let mut labels = Labels::for_language("de");
        assert!(labels.set("notes", "Fußnoten"));
        assert_eq!(labels.notes, "Fußnoten");
        assert_eq!(labels.contents, "Inhalt");
        assert!(!labels.set("nonsense", "x"));
    }
}
