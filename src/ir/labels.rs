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

/// Built-in words by primary language subtag (`sr-latn` for Serbian in Latin script):
/// `(key, word)` pairs; keys left out stay English.
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
            ("by", "Tekijä"),
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
            ("by", "Autor"),
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
            ("by", "Autor"),
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
            ("by", "Автор"),
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
            ("colophon", "Κολοφώνας"),
            ("about", "Σχετικά με αυτό το βιβλίο"),
            ("notes", "Σημειώσεις"),
            ("title", "Τίτλος"),
            ("by", "Συγγραφέας"),
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
            ("by", "Yazar"),
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
    (
        "af",
        &[
            ("contents", "Inhoud"),
            ("cover", "Omslag"),
            ("title-page", "Titelblad"),
            ("colophon", "Kolofon"),
            ("about", "Oor hierdie boek"),
            ("notes", "Notas"),
            ("title", "Titel"),
            ("by", "Deur"),
            ("source", "Bron"),
            ("publisher", "Uitgewer"),
            ("rights", "Regte"),
            ("last-modified", "Laas gewysig"),
        ],
    ),
    (
        "sq",
        &[
            ("contents", "Përmbajtja"),
            ("cover", "Kopertina"),
            ("title-page", "Faqja e titullit"),
            ("about", "Rreth këtij libri"),
            ("notes", "Shënime"),
            ("title", "Titulli"),
            ("by", "Nga"),
            ("source", "Burimi"),
            ("publisher", "Botuesi"),
            ("rights", "Të drejtat"),
        ],
    ),
    (
        "hy",
        &[
            ("contents", "Բովանդակություն"),
            ("cover", "Կազմ"),
            ("title-page", "Տիտղոսաթերթ"),
            ("about", "Այս գրքի մասին"),
            ("notes", "Ծանոթագրություններ"),
            ("title", "Վերնագիր"),
            ("by", "Հեղինակ"),
            ("source", "Աղբյուր"),
            ("publisher", "Հրատարակիչ"),
        ],
    ),
    (
        "as",
        &[
            ("contents", "সূচীপত্ৰ"),
            ("cover", "বেটুপাত"),
            ("about", "এই কিতাপখনৰ বিষয়ে"),
            ("notes", "টোকা"),
            ("title", "শিৰোনাম"),
            ("by", "লেখক"),
            ("source", "উৎস"),
            ("publisher", "প্ৰকাশক"),
        ],
    ),
    (
        "eu",
        &[
            ("contents", "Aurkibidea"),
            ("cover", "Azala"),
            ("about", "Liburu honi buruz"),
            ("notes", "Oharrak"),
            ("title", "Izenburua"),
            ("by", "Egilea"),
            ("source", "Iturria"),
            ("publisher", "Argitaletxea"),
            ("rights", "Eskubideak"),
        ],
    ),
    (
        "be",
        &[
            ("contents", "Змест"),
            ("cover", "Вокладка"),
            ("title-page", "Тытульны ліст"),
            ("colophon", "Выходныя даныя"),
            ("about", "Пра гэтую кнігу"),
            ("notes", "Заўвагі"),
            ("title", "Назва"),
            ("by", "Аўтар"),
            ("source", "Крыніца"),
            ("publisher", "Выдавецтва"),
            ("rights", "Правы"),
        ],
    ),
    (
        "bg",
        &[
            ("contents", "Съдържание"),
            ("cover", "Корица"),
            ("title-page", "Титулна страница"),
            ("about", "За тази книга"),
            ("notes", "Бележки"),
            ("title", "Заглавие"),
            ("by", "Автор"),
            ("source", "Източник"),
            ("publisher", "Издателство"),
            ("rights", "Права"),
            ("identifier", "Идентификатор"),
            ("last-modified", "Последна промяна"),
        ],
    ),
    (
        "ca",
        &[
            ("contents", "Índex"),
            ("landmarks", "Punts de referència"),
            ("cover", "Coberta"),
            ("title-page", "Portada"),
            ("start", "Inici del text"),
            ("colophon", "Colofó"),
            ("about", "Sobre aquest llibre"),
            ("notes", "Notes"),
            ("title", "Títol"),
            ("by", "Per"),
            ("source", "Font"),
            ("publisher", "Editorial"),
            ("picture-credit", "Crèdit de la imatge"),
            ("rights", "Drets"),
            ("identifier", "Identificador"),
            ("last-modified", "Darrera modificació"),
            ("made-with", "Fet amb"),
            ("edition", "Edició del"),
        ],
    ),
    (
        "hr",
        &[
            ("contents", "Sadržaj"),
            ("cover", "Naslovnica"),
            ("title-page", "Naslovna stranica"),
            ("colophon", "Impresum"),
            ("about", "O ovoj knjizi"),
            ("notes", "Bilješke"),
            ("title", "Naslov"),
            ("by", "Autor"),
            ("source", "Izvor"),
            ("publisher", "Nakladnik"),
            ("rights", "Prava"),
            ("identifier", "Identifikator"),
            ("last-modified", "Zadnja izmjena"),
        ],
    ),
    (
        "eo",
        &[
            ("contents", "Enhavo"),
            ("cover", "Kovrilo"),
            ("title-page", "Titolpaĝo"),
            ("start", "Komenco de la teksto"),
            ("colophon", "Kolofono"),
            ("about", "Pri ĉi tiu libro"),
            ("notes", "Notoj"),
            ("title", "Titolo"),
            ("by", "De"),
            ("source", "Fonto"),
            ("publisher", "Eldonejo"),
            ("rights", "Rajtoj"),
            ("identifier", "Identigilo"),
            ("last-modified", "Laste modifita"),
            ("made-with", "Farita per"),
        ],
    ),
    (
        "et",
        &[
            ("contents", "Sisukord"),
            ("cover", "Kaas"),
            ("title-page", "Tiitelleht"),
            ("about", "Selle raamatu kohta"),
            ("notes", "Märkused"),
            ("title", "Pealkiri"),
            ("by", "Autor"),
            ("source", "Allikas"),
            ("publisher", "Kirjastus"),
            ("rights", "Õigused"),
            ("last-modified", "Viimati muudetud"),
        ],
    ),
    (
        "ka",
        &[
            ("contents", "სარჩევი"),
            ("cover", "ყდა"),
            ("title-page", "სატიტულო გვერდი"),
            ("about", "ამ წიგნის შესახებ"),
            ("notes", "შენიშვნები"),
            ("title", "სათაური"),
            ("by", "ავტორი"),
            ("source", "წყარო"),
            ("publisher", "გამომცემლობა"),
        ],
    ),
    (
        "gl",
        &[
            ("contents", "Índice"),
            ("landmarks", "Puntos de referencia"),
            ("cover", "Cuberta"),
            ("title-page", "Portada"),
            ("start", "Inicio do texto"),
            ("colophon", "Colofón"),
            ("about", "Sobre este libro"),
            ("notes", "Notas"),
            ("title", "Título"),
            ("by", "Por"),
            ("source", "Fonte"),
            ("publisher", "Editorial"),
            ("picture-credit", "Crédito da imaxe"),
            ("rights", "Dereitos"),
            ("identifier", "Identificador"),
            ("last-modified", "Última modificación"),
            ("made-with", "Feito con"),
        ],
    ),
    (
        "gu",
        &[
            ("contents", "અનુક્રમણિકા"),
            ("cover", "મુખપૃષ્ઠ"),
            ("about", "આ પુસ્તક વિશે"),
            ("notes", "નોંધ"),
            ("title", "શીર્ષક"),
            ("by", "લેખક"),
            ("source", "સ્રોત"),
            ("publisher", "પ્રકાશક"),
        ],
    ),
    (
        "hu",
        &[
            ("contents", "Tartalom"),
            ("cover", "Borító"),
            ("title-page", "Címlap"),
            ("colophon", "Impresszum"),
            ("about", "A könyvről"),
            ("notes", "Jegyzetek"),
            ("title", "Cím"),
            ("by", "Szerző"),
            ("source", "Forrás"),
            ("publisher", "Kiadó"),
            ("identifier", "Azonosító"),
            ("last-modified", "Utoljára módosítva"),
        ],
    ),
    (
        "is",
        &[
            ("contents", "Efnisyfirlit"),
            ("cover", "Kápa"),
            ("title-page", "Titilsíða"),
            ("about", "Um þessa bók"),
            ("notes", "Athugasemdir"),
            ("title", "Titill"),
            ("by", "Eftir"),
            ("source", "Heimild"),
            ("publisher", "Útgefandi"),
        ],
    ),
    (
        "id",
        &[
            ("contents", "Daftar Isi"),
            ("cover", "Sampul"),
            ("title-page", "Halaman Judul"),
            ("colophon", "Kolofon"),
            ("about", "Tentang Buku Ini"),
            ("notes", "Catatan"),
            ("title", "Judul"),
            ("by", "Oleh"),
            ("source", "Sumber"),
            ("publisher", "Penerbit"),
            ("last-modified", "Terakhir diubah"),
            ("made-with", "Dibuat dengan"),
        ],
    ),
    (
        "ga",
        &[
            ("contents", "Clár ábhair"),
            ("cover", "Clúdach"),
            ("title-page", "Leathanach teidil"),
            ("about", "Faoin leabhar seo"),
            ("notes", "Nótaí"),
            ("title", "Teideal"),
            ("by", "Le"),
            ("source", "Foinse"),
            ("publisher", "Foilsitheoir"),
        ],
    ),
    (
        "kn",
        &[
            ("contents", "ಪರಿವಿಡಿ"),
            ("cover", "ಮುಖಪುಟ"),
            ("about", "ಈ ಪುಸ್ತಕದ ಬಗ್ಗೆ"),
            ("notes", "ಟಿಪ್ಪಣಿಗಳು"),
            ("title", "ಶೀರ್ಷಿಕೆ"),
            ("by", "ಲೇಖಕರು"),
            ("source", "ಮೂಲ"),
            ("publisher", "ಪ್ರಕಾಶಕರು"),
        ],
    ),
    (
        "la",
        &[
            ("contents", "Index"),
            ("about", "De hoc libro"),
            ("notes", "Notae"),
            ("title", "Titulus"),
            ("by", "Auctor"),
            ("source", "Fons"),
        ],
    ),
    (
        "lv",
        &[
            ("contents", "Saturs"),
            ("cover", "Vāks"),
            ("title-page", "Titullapa"),
            ("about", "Par šo grāmatu"),
            ("notes", "Piezīmes"),
            ("title", "Nosaukums"),
            ("by", "Autors"),
            ("source", "Avots"),
            ("publisher", "Izdevējs"),
            ("rights", "Tiesības"),
            ("identifier", "Identifikators"),
            ("last-modified", "Pēdējoreiz mainīts"),
        ],
    ),
    (
        "lt",
        &[
            ("contents", "Turinys"),
            ("cover", "Viršelis"),
            ("title-page", "Antraštinis lapas"),
            ("about", "Apie šią knygą"),
            ("notes", "Pastabos"),
            ("title", "Pavadinimas"),
            ("by", "Autorius"),
            ("source", "Šaltinis"),
            ("publisher", "Leidykla"),
            ("rights", "Teisės"),
            ("identifier", "Identifikatorius"),
        ],
    ),
    (
        "mk",
        &[
            ("contents", "Содржина"),
            ("cover", "Корица"),
            ("title-page", "Насловна страница"),
            ("about", "За оваа книга"),
            ("notes", "Белешки"),
            ("title", "Наслов"),
            ("by", "Автор"),
            ("source", "Извор"),
            ("publisher", "Издавач"),
            ("rights", "Права"),
        ],
    ),
    (
        "ml",
        &[
            ("contents", "ഉള്ളടക്കം"),
            ("cover", "പുറംചട്ട"),
            ("about", "ഈ പുസ്തകത്തെക്കുറിച്ച്"),
            ("notes", "കുറിപ്പുകൾ"),
            ("title", "ശീർഷകം"),
            ("by", "രചയിതാവ്"),
            ("source", "ഉറവിടം"),
            ("publisher", "പ്രസാധകർ"),
        ],
    ),
    (
        "mr",
        &[
            ("contents", "अनुक्रमणिका"),
            ("cover", "मुखपृष्ठ"),
            ("about", "या पुस्तकाविषयी"),
            ("notes", "टिपा"),
            ("title", "शीर्षक"),
            ("by", "लेखक"),
            ("source", "स्रोत"),
            ("publisher", "प्रकाशक"),
        ],
    ),
    (
        "mn",
        &[
            ("contents", "Гарчиг"),
            ("cover", "Хавтас"),
            ("about", "Энэ номын тухай"),
            ("notes", "Тайлбар"),
            ("title", "Нэр"),
            ("by", "Зохиогч"),
            ("source", "Эх сурвалж"),
            ("publisher", "Хэвлэлийн газар"),
        ],
    ),
    (
        "nn",
        &[
            ("contents", "Innhald"),
            ("cover", "Omslag"),
            ("title-page", "Tittelside"),
            ("colophon", "Kolofon"),
            ("about", "Om denne boka"),
            ("notes", "Notar"),
            ("title", "Tittel"),
            ("by", "Av"),
            ("source", "Kjelde"),
            ("publisher", "Forlag"),
            ("rights", "Rettar"),
            ("last-modified", "Sist endra"),
        ],
    ),
    (
        "oc",
        &[
            ("contents", "Somari"),
            ("cover", "Cobèrta"),
            ("about", "A prepaus d'aqueste libre"),
            ("notes", "Nòtas"),
            ("title", "Títol"),
            ("by", "Per"),
            ("source", "Font"),
            ("publisher", "Editor"),
        ],
    ),
    (
        "or",
        &[
            ("contents", "ସୂଚୀପତ୍ର"),
            ("cover", "ମଲାଟ"),
            ("about", "ଏହି ପୁସ୍ତକ ବିଷୟରେ"),
            ("notes", "ଟିପ୍ପଣୀ"),
            ("title", "ଶୀର୍ଷକ"),
            ("by", "ଲେଖକ"),
            ("source", "ଉତ୍ସ"),
            ("publisher", "ପ୍ରକାଶକ"),
        ],
    ),
    (
        "pa",
        &[
            ("contents", "ਤਤਕਰਾ"),
            ("cover", "ਸਰਵਰਕ"),
            ("about", "ਇਸ ਕਿਤਾਬ ਬਾਰੇ"),
            ("notes", "ਟਿੱਪਣੀਆਂ"),
            ("title", "ਸਿਰਲੇਖ"),
            ("by", "ਲੇਖਕ"),
            ("source", "ਸਰੋਤ"),
            ("publisher", "ਪ੍ਰਕਾਸ਼ਕ"),
        ],
    ),
    (
        "ro",
        &[
            ("contents", "Cuprins"),
            ("landmarks", "Repere"),
            ("cover", "Copertă"),
            ("title-page", "Pagina de titlu"),
            ("start", "Începutul textului"),
            ("colophon", "Colofon"),
            ("about", "Despre această carte"),
            ("notes", "Note"),
            ("title", "Titlu"),
            ("by", "De"),
            ("source", "Sursa"),
            ("publisher", "Editura"),
            ("picture-credit", "Credit foto"),
            ("rights", "Drepturi"),
            ("identifier", "Identificator"),
            ("last-modified", "Ultima modificare"),
            ("made-with", "Realizat cu"),
            ("edition", "Ediția din"),
        ],
    ),
    (
        "sa",
        &[
            ("contents", "विषयानुक्रमणिका"),
            ("colophon", "पुष्पिका"),
            ("about", "अस्य ग्रन्थस्य विषये"),
            ("notes", "टिप्पण्यः"),
            ("title", "शीर्षकम्"),
            ("source", "स्रोतः"),
            ("publisher", "प्रकाशकः"),
        ],
    ),
    (
        "sr",
        &[
            ("contents", "Садржај"),
            ("cover", "Корице"),
            ("title-page", "Насловна страна"),
            ("about", "О овој књизи"),
            ("notes", "Напомене"),
            ("title", "Наслов"),
            ("by", "Аутор"),
            ("source", "Извор"),
            ("publisher", "Издавач"),
            ("rights", "Права"),
            ("identifier", "Идентификатор"),
            ("last-modified", "Последња измена"),
        ],
    ),
    (
        "sr-latn",
        &[
            ("contents", "Sadržaj"),
            ("cover", "Korice"),
            ("title-page", "Naslovna strana"),
            ("about", "O ovoj knjizi"),
            ("notes", "Napomene"),
            ("title", "Naslov"),
            ("by", "Autor"),
            ("source", "Izvor"),
            ("publisher", "Izdavač"),
            ("rights", "Prava"),
            ("identifier", "Identifikator"),
            ("last-modified", "Poslednja izmena"),
        ],
    ),
    (
        "sk",
        &[
            ("contents", "Obsah"),
            ("cover", "Obálka"),
            ("title-page", "Titulná strana"),
            ("colophon", "Tiráž"),
            ("about", "O tejto knihe"),
            ("notes", "Poznámky"),
            ("title", "Názov"),
            ("by", "Autor"),
            ("source", "Zdroj"),
            ("publisher", "Vydavateľ"),
            ("rights", "Práva"),
            ("identifier", "Identifikátor"),
            ("last-modified", "Naposledy zmenené"),
        ],
    ),
    (
        "sl",
        &[
            ("contents", "Kazalo"),
            ("cover", "Naslovnica"),
            ("title-page", "Naslovna stran"),
            ("colophon", "Kolofon"),
            ("about", "O tej knjigi"),
            ("notes", "Opombe"),
            ("title", "Naslov"),
            ("by", "Avtor"),
            ("source", "Vir"),
            ("publisher", "Založnik"),
            ("rights", "Pravice"),
            ("identifier", "Identifikator"),
            ("last-modified", "Nazadnje spremenjeno"),
        ],
    ),
    (
        "te",
        &[
            ("contents", "విషయసూచిక"),
            ("cover", "ముఖచిత్రం"),
            ("about", "ఈ పుస్తకం గురించి"),
            ("notes", "గమనికలు"),
            ("title", "శీర్షిక"),
            ("by", "రచయిత"),
            ("source", "మూలం"),
            ("publisher", "ప్రచురణకర్త"),
        ],
    ),
    (
        "th",
        &[
            ("contents", "สารบัญ"),
            ("cover", "หน้าปก"),
            ("title-page", "หน้าปกใน"),
            ("about", "เกี่ยวกับหนังสือเล่มนี้"),
            ("notes", "หมายเหตุ"),
            ("title", "ชื่อเรื่อง"),
            ("by", "โดย"),
            ("source", "ที่มา"),
            ("publisher", "สำนักพิมพ์"),
            ("last-modified", "แก้ไขล่าสุด"),
        ],
    ),
    (
        "tk",
        &[
            ("contents", "Mazmuny"),
            ("about", "Bu kitap barada"),
            ("notes", "Bellikler"),
            ("title", "Ady"),
            ("by", "Awtor"),
            ("source", "Çeşme"),
            ("publisher", "Neşirýat"),
        ],
    ),
    (
        "cy",
        &[
            ("contents", "Cynnwys"),
            ("cover", "Clawr"),
            ("title-page", "Wynebddalen"),
            ("about", "Am y llyfr hwn"),
            ("notes", "Nodiadau"),
            ("title", "Teitl"),
            ("by", "Gan"),
            ("source", "Ffynhonnell"),
            ("publisher", "Cyhoeddwr"),
            ("rights", "Hawliau"),
            ("last-modified", "Newidiwyd ddiwethaf"),
        ],
    ),
    (
        "hsb",
        &[
            ("contents", "Wobsah"),
            ("about", "Wo tutej knize"),
            ("notes", "Přispomnjenki"),
            ("title", "Titul"),
            ("by", "Awtor"),
            ("source", "Žórło"),
            ("publisher", "Nakładnistwo"),
        ],
    ),
    (
        "ia",
        &[
            ("contents", "Contento"),
            ("cover", "Copertura"),
            ("title-page", "Pagina de titulo"),
            ("about", "A proposito de iste libro"),
            ("notes", "Notas"),
            ("title", "Titulo"),
            ("by", "Per"),
            ("source", "Fonte"),
            ("publisher", "Editor"),
        ],
    ),
    (
        "rm",
        &[
            ("contents", "Cuntegn"),
            ("cover", "Cuverta"),
            ("about", "Davart quest cudesch"),
            ("notes", "Remartgas"),
            ("title", "Titel"),
            ("source", "Funtauna"),
            ("publisher", "Editur"),
        ],
    ),
    (
        "fur",
        &[
            ("contents", "Indiç"),
            ("cover", "Cuvierte"),
            ("about", "Su chest libri"),
            ("notes", "Notis"),
            ("title", "Titul"),
            ("publisher", "Editôr"),
        ],
    ),
    (
        "kmr",
        &[
            ("contents", "Naverok"),
            ("cover", "Berg"),
            ("about", "Derbarê vê pirtûkê de"),
            ("notes", "Têbînî"),
            ("title", "Sernav"),
            ("by", "Nivîskar"),
            ("source", "Çavkanî"),
            ("publisher", "Weşanxane"),
        ],
    ),
];

/// The script of a table whose language is written in several: a tag naming another script
/// (`mn-Mong`, `pa-Arab`) gets English rather than words in a script its reader may not read.
const TABLE_SCRIPTS: &[(&str, &str)] = &[
    ("kmr", "latn"),
    ("mn", "cyrl"),
    ("pa", "guru"),
    ("sa", "deva"),
    ("sr", "cyrl"),
    ("sr-latn", "latn"),
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
        // The script subtag, when the tag names one (`sr-Latn`, `mn-Mong`; not `de-1901`).
        let script = tag
            .rest
            .first()
            .map(String::as_str)
            .filter(|s| s.len() == 4 && s.bytes().all(|b| b.is_ascii_alphabetic()));
        let primary = match (tag.primary.as_str(), script) {
            ("no", _) => "nb",
            ("ku", _) => "kmr",
            ("sr", Some("latn")) => "sr-latn",
            (other, _) => other,
        };
        let other_script = TABLE_SCRIPTS.iter().any(|(language, written)| {
            *language == primary && script.is_some_and(|s| s != *written)
        });
        let mut labels = Labels::default();
        if other_script {
            return labels;
        }
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

    /// The ten words every table of a language of the bundled hyphenation patterns aims at.
    const BASICS: [&str; 10] = [
        "contents",
        "cover",
        "title-page",
        "colophon",
        "about",
        "notes",
        "title",
        "by",
        "source",
        "publisher",
    ];

    /// The languages of the bundled hyphenation patterns given tables for them.
    const HYPHENATION_LANGUAGES: [&str; 46] = [
        "af", "sq", "hy", "as", "eu", "be", "bg", "ca", "hr", "eo", "et", "ka", "gl", "gu", "hu",
        "is", "id", "ga", "kn", "la", "lv", "lt", "mk", "ml", "mr", "mn", "nn", "oc", "or", "pa",
        "ro", "sa", "sr", "sr-Latn", "sk", "sl", "te", "th", "tk", "cy", "hsb", "ia", "rm", "fur",
        "kmr", "ku",
    ];

    fn table(language: &str) -> &'static [(&'static str, &'static str)] {
        TABLES
            .iter()
            .find(|(l, _)| *l == language)
            .map(|(_, table)| *table)
            .unwrap_or_else(|| panic!("no table for {language}"))
    }

    #[test]
    fn hyphenation_languages_have_their_own_word_for_contents() {
        let english = Labels::default();
        for tag in HYPHENATION_LANGUAGES {
            let labels = Labels::for_language(tag);
            assert_ne!(labels.contents, english.contents, "{tag}");
            assert_ne!(labels, english, "{tag}");
        }
        // Each has its own table (`ku` is Kurmanji's), with most of the ten basics.
        for tag in HYPHENATION_LANGUAGES.iter().filter(|t| **t != "ku") {
            let table = table(&tag.to_ascii_lowercase());
            let basics = BASICS
                .iter()
                .filter(|b| table.iter().any(|(k, _)| k == *b))
                .count();
            assert!(basics >= 6, "{tag}: {basics} of the ten basics");
        }
    }

    #[test]
    fn fuller_tables_have_all_ten_basics() {
        for language in [
            "de", "fr", "es", "it", "pt", "nl", "ru", "sv", "da", "nb", "fi", "pl", "cs", "uk",
            "el", "tr", "ca", "hr", "eo", "gl", "hu", "id", "nn", "ro", "sk", "sl", "af", "be",
        ] {
            let table = table(language);
            for basic in BASICS {
                assert!(
                    table.iter().any(|(k, _)| *k == basic),
                    "{language} lacks {basic}"
                );
            }
        }
    }

    #[test]
    fn tables_and_their_keys_are_listed_once() {
        for (i, (language, table)) in TABLES.iter().enumerate() {
            assert!(
                !TABLES[..i].iter().any(|(l, _)| l == language),
                "{language} twice"
            );
            for (j, (key, _)) in table.iter().enumerate() {
                assert!(
                    !table[..j].iter().any(|(k, _)| k == key),
                    "{language}: {key} twice"
                );
            }
        }
        for (language, _) in TABLE_SCRIPTS {
            table(language);
        }
    }

    #[test]
    fn tags_find_the_table_of_their_language_and_script() {
        let english = Labels::default();
        let contents = |tag: &str| Labels::for_language(tag).contents;
        assert_eq!(contents("nb-NO"), "Innhold");
        assert_eq!(contents("no"), "Innhold");
        assert_eq!(contents("nn"), "Innhald");
        assert_eq!(contents("sr"), "Садржај");
        assert_eq!(contents("sr-Cyrl-RS"), "Садржај");
        assert_eq!(contents("sr-Latn"), "Sadržaj");
        assert_eq!(contents("sr_latn_ME"), "Sadržaj");
        assert_eq!(contents("ku"), "Naverok");
        assert_eq!(contents("kmr-Latn-TR"), "Naverok");
        assert_eq!(contents("mn-Cyrl"), "Гарчиг");
        assert_eq!(contents("hu-HU"), "Tartalom");
        assert_eq!(contents("de-1901"), "Inhalt", "a variant is no script");
        assert_eq!(contents("zh-Hant-TW"), "目录");
        for other_script in ["mn-Mong", "pa-Arab", "ku-Arab", "sa-Latn", "sr-Grek"] {
            assert_eq!(
                Labels::for_language(other_script),
                english,
                "{other_script}"
            );
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
