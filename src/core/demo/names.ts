/**
 * Name pools for demo customers, by language. Names are common ones, so no pairing points at a
 * real person more than any other; email domains use the reserved `.example` TLD (RFC 2606).
 */

export type NameLanguage = 'en' | 'de' | 'tr' | 'es' | 'fr';

export interface NamePool {
  readonly first: readonly string[];
  readonly last: readonly string[];
}

const words = (s: string): readonly string[] => s.split(' ');

export const NAME_POOLS: Readonly<Record<NameLanguage, NamePool>> = {
  en: {
    first: words(
      'Emma Olivia Amelia Sophie Grace Chloe Hannah Lily James Oliver Jack Noah Liam Ethan Mason Harry',
    ),
    last: words(
      'Smith Johnson Williams Brown Taylor Wilson Davies Evans Walker Wright Thompson Miller Clarke Hughes Parker Bennett',
    ),
  },
  de: {
    first: words(
      'Anna Lena Marie Laura Julia Sophia Katharina Leonie Lukas Jonas Felix Maximilian Paul Tobias Niklas Jürgen',
    ),
    last: words(
      'Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf Schröder Neumann',
    ),
  },
  tr: {
    first: words(
      'Ayşe Zeynep Elif Fatma Merve Büşra Selin Ece Mehmet Mustafa Ahmet Emre Burak Can Oğuz İbrahim',
    ),
    last: words(
      'Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç Aslan Çetin Koç',
    ),
  },
  es: {
    first: words(
      'Lucía María Paula Sofía Carmen Valentina Martina Elena Hugo Pablo Javier Alejandro Diego Mateo Sergio José',
    ),
    last: words(
      'García Rodríguez González Fernández López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz Hernández Díaz Moreno Muñoz',
    ),
  },
  fr: {
    first: words(
      'Camille Léa Manon Chloé Inès Juliette Clémence Élodie Louis Gabriel Arthur Hugo Théo Antoine Mathis Raphaël',
    ),
    last: words(
      'Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèvre Michel Girard Fontaine',
    ),
  },
};

const SPECIAL: Readonly<Record<string, string>> = { ı: 'i', ß: 'ss', ø: 'o', æ: 'ae', œ: 'oe', ł: 'l' };

/**
 * Lowercase ASCII for an email local part: accents dropped, `ı`/`ß`/`œ` spelled out.
 * @example asciiFold('Şahin'); // 'sahin'
 */
export function asciiFold(s: string): string {
  const lower = s.toLowerCase().normalize('NFD');
  let out = '';
  for (const ch of lower) {
    const code = ch.charCodeAt(0);
    if (code >= 0x300 && code <= 0x36f) continue;
    out += SPECIAL[ch] ?? ch;
  }
  return out.replace(/[^a-z0-9]/g, '');
}
