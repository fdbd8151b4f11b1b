/**
 * The main override and extraction phrases in fourteen languages, written for runwatch as
 * small grammars: verb stems × object stems (or "position" stems: previous, above), in either
 * order, within one sentence. Stems match the start of a word, so inflections match
 * (`Anweisungen`, `instrucciones`, `инструкции`); multi-word stems allow one word between
 * their parts. Accents are optional: stems and text are folded alike (multilingual.ts).
 *
 * A stem marked `~` is also English (`ignor`, `instruction`, `prompt`): a match made only of
 * such stems needs one of the language's `markers` (function words) nearby, or English text
 * would be read as French.
 */

export interface Grammar {
  verbs: string[];
  objects: string[];
}

export interface Language {
  code: string;
  /** Cheap script test: the language is skipped unless the text contains its script. Latin languages: none. */
  script?: RegExp;
  /** Words separated by spaces (stems match word starts) or not (zh, ja: substrings). */
  spaced: boolean;
  override: Grammar & { positions: string[] };
  extraction: Grammar;
  /** Function words that show the text really is in this language. */
  markers: string[];
  /** Words that negate a verb next to them ("no olvides", "vergiss nicht"): the verb is then not an override. */
  negations?: string[];
  /** Negated verb forms that start like a verb stem (Turkish `unutma` = "do not forget"). */
  negatedForms?: string[];
}

const CJK = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]/;

export const LANGUAGES: readonly Language[] = [
  {
    code: 'de',
    negations: ['nicht', 'nie', 'niemals'],
    spaced: true,
    override: {
      verbs: ['ignorier', 'vergiss', 'vergess', 'missacht', 'übergeh', 'überseh', 'verwirf', 'verwerf', 'hör auf', 'nicht mehr befolg', 'nicht befolg', 'nicht beacht', 'lösch'],
      objects: ['anweisung', 'instruktion', 'regel', 'vorgabe', 'befehl', 'richtlinie', 'anordnung', 'angaben', 'einschränkung', 'vorschrift', 'systemprompt', '~prompt'],
      positions: ['obig', 'oben', 'vorherig', 'bisher', 'zuvor', 'vorher', 'davor', 'vorangegangen', 'vorige', 'früher'],
    },
    extraction: {
      verbs: ['zeig', 'gib', 'nenn', 'verrat', 'wiederhol', 'druck', 'schreib', 'sag', 'was sind', 'was waren', 'wie lautet', 'wie lauten', 'wie lauteten', 'offenbar', 'enthüll'],
      objects: ['dein anweisung', 'ihr anweisung', 'dein instruktion', 'ihr instruktion', 'dein regel', 'dein prompt', 'ihr prompt', 'dein systemprompt', 'systemprompt', 'system prompt', 'systemanweisung', 'systemnachricht', 'ursprünglich anweisung', 'anfänglich anweisung', 'ursprünglich instruktion', 'versteckt anweisung', 'geheim anweisung', 'obig text', 'text oben', 'obig eingabeaufforderung', 'dein eingabeaufforderung', 'ihr eingabeaufforderung', 'obig anweisung'],
    },
    markers: ['die', 'alle', 'deine', 'ihre', 'der', 'und', 'sie', 'das', 'was', 'wir', 'mir', 'mich', 'bitte', 'jetzt'],
  },
  {
    code: 'fr',
    negations: ['ne', 'jamais'],
    spaced: true,
    override: {
      verbs: ['~ignor', 'oubli', 'néglig', 'ne tien pas compte', 'ne ten pas compte', 'fai abstraction', 'passe outre', 'outrepass', 'contourn', 'ne suis pas', 'ne suivez pas', 'cesse de suivre', 'arrête de suivre'],
      objects: ['~instruction', 'consigne', 'règle', '~directive', 'indication', 'contrainte', '~restriction', '~prompt'],
      positions: ['précédent', 'ci-dessus', 'ce qui précède', 'antérieur', 'plus haut'],
    },
    extraction: {
      verbs: ['montre', 'affiche', 'révèle', 'répète', 'donne', 'dis-moi', 'écris', 'imprime', 'récite', 'quelles sont', 'quel est', 'quelles étaient', 'divulgue'],
      objects: ['tes instruction', 'vos instruction', 'tes consigne', 'vos consigne', 'ton prompt', 'votre prompt', 'prompt système', 'invite système', 'message système', 'instruction initial', "instruction d'origine", 'instruction originel', 'instruction original', 'consigne initial', 'tes règle', 'vos règle', 'texte ci-dessus'],
    },
    markers: ['les', 'des', 'tes', 'vos', 'toutes', 'tous', 'ton', 'votre', 'et', 'du', 'de', 'la', 'le', 'qui', 'que', 'ce', 'moi'],
  },
  {
    code: 'es',
    negations: ['no', 'nunca', 'jamas'],
    spaced: true,
    override: {
      verbs: ['~ignor', 'olvid', 'no hag caso', 'haz caso omiso', 'hag caso omiso', '~omit', 'descart', 'pas por alto', 'desatiend', 'desobedec', 'no siga', 'deja de seguir'],
      objects: ['instruccion', 'regla', 'indicacion', 'directri', 'ordenes', 'restriccion', '~prompt', 'consigna', 'norma'],
      positions: ['anterior', 'lo anterior', 'previa', 'previo', 'arriba', 'todo lo que', 'lo que dije', 'todo que', 'dicho'],
    },
    extraction: {
      verbs: ['muestra', 'revela', 'repite', 'dime', 'imprime', 'escribe', 'cuáles son', 'cuál es', 'cuales eran', 'enseña'],
      objects: ['tus instruccion', 'sus instruccion', 'tu prompt', 'su prompt', 'prompt del sistema', 'mensaje del sistema', 'instruccion inicial', 'instruccion original', 'tus regla', 'texto anterior', 'indicacion inicial'],
    },
    markers: ['las', 'los', 'tus', 'sus', 'todas', 'todos', 'del', 'que', 'el', 'y', 'lo', 'de', 'la', 'me'],
  },
  {
    code: 'it',
    negations: ['non', 'mai'],
    spaced: true,
    override: {
      verbs: ['~ignor', 'dimentic', 'non tener conto', 'trascur', 'tralasci', 'lascia perder', 'non segui', 'disobbed', 'smetti di seguire'],
      objects: ['istruzion', 'regol', 'indicazion', 'direttiv', 'vincol', 'restrizion', 'consegn', '~prompt'],
      positions: ['precedent', 'sopra', 'tutto cio', 'quanto detto', 'finora'],
    },
    extraction: {
      verbs: ['mostra', 'rivela', 'ripeti', 'dimmi', 'stampa', 'scrivi', 'quali sono', 'qual è', 'qual era'],
      objects: ['tue istruzion', 'tuo prompt', 'prompt di sistema', 'istruzion inizial', 'istruzion original', 'messaggio di sistema', 'tue regol', 'testo sopra', 'vostre istruzion', 'sue istruzion'],
    },
    markers: ['le', 'tutte', 'tutti', 'tue', 'delle', 'degli', 'il', 'che', 'di', 'e', 'mi', 'gli', 'la'],
  },
  {
    code: 'pt',
    negations: ['nao', 'nunca', 'jamais'],
    spaced: true,
    override: {
      verbs: ['~ignor', 'esqueç', 'desconsider', 'não sig', 'desprez', 'deix de lado', 'pare de seguir', 'desobedeç'],
      objects: ['instruç', 'regra', 'diretriz', 'orientaç', 'restriç', '~prompt', 'comando'],
      positions: ['anterior', 'acima', 'prévia', 'tudo o que', 'até agora'],
    },
    extraction: {
      verbs: ['mostr', 'revel', 'repit', 'diga', 'me diga', 'imprim', 'escrev', 'quais são', 'qual é', 'quais eram'],
      objects: ['suas instruç', 'tuas instruç', 'seu prompt', 'teu prompt', 'prompt do sistema', 'mensagem do sistema', 'instruç inicia', 'instruç origin', 'suas regra', 'texto acima'],
    },
    markers: ['as', 'os', 'suas', 'todas', 'todos', 'das', 'dos', 'que', 'de', 'e', 'me', 'o', 'a'],
  },
  {
    code: 'nl',
    negations: ['niet', 'nooit'],
    spaced: true,
    override: {
      verbs: ['negeer', 'negeren', 'vergeet', 'houd geen rekening', 'hou geen rekening', 'let niet op', 'schenk geen aandacht', 'volg niet'],
      objects: ['instructie', 'regel', 'richtlijn', 'aanwijzing', 'opdracht', '~prompt', 'beperking', 'voorschrift'],
      positions: ['vorig', 'eerder', 'bovenstaand', 'voorgaand', 'hierboven', 'alles wat'],
    },
    extraction: {
      verbs: ['toon', 'laat', 'herhaal', 'geef', 'vertel', '~print', 'schrijf', 'wat zijn', 'wat waren', 'onthul'],
      objects: ['je instructie', 'jouw instructie', 'uw instructie', 'je prompt', 'jouw prompt', 'uw prompt', 'systeemprompt', 'systeem prompt', 'systeembericht', 'oorspronkelijk instructie', 'eerste instructie', 'je regel', 'jouw regel', 'bovenstaand tekst', 'oorspronkelijk prompt'],
    },
    markers: ['de', 'het', 'alle', 'je', 'jouw', 'uw', 'en', 'van', 'een', 'mij', 'me'],
  },
  {
    code: 'ru',
    negations: ['не', 'никогда'],
    script: /[\u0400-\u04ff]/,
    spaced: true,
    override: {
      verbs: ['игнорир', 'проигнорир', 'забудь', 'забуд', 'забыть', 'пренебреги', 'пренебрег', 'не обращай внимания', 'не обращайте внимания', 'не учитывай', 'не следуй', 'отбрось', 'отмени', 'не выполняй'],
      objects: ['инструкц', 'правил', 'указани', 'директив', 'ограничени', 'промпт', 'команд', 'установк'],
      positions: ['предыдущ', 'вышесказанн', 'выше', 'прежн', 'ранее', 'всё что', 'все что'],
    },
    extraction: {
      verbs: ['покажи', 'выведи', 'повтори', 'раскрой', 'напиши', 'скажи', 'какие у тебя', 'какой у тебя', 'каковы', 'выдай', 'распечатай', 'процитируй'],
      objects: ['твои инструкц', 'ваши инструкц', 'свои инструкц', 'системн промпт', 'системн инструкц', 'системн сообщени', 'исходн инструкц', 'первоначальн инструкц', 'изначальн инструкц', 'твой промпт', 'ваш промпт', 'твои правил', 'текст выше'],
    },
    markers: [],
  },
  {
    code: 'zh',
    script: CJK,
    spaced: false,
    override: {
      verbs: ['忽略', '无视', '無視', '忽视', '忽視', '忘记', '忘記', '忘掉', '不要理会', '不要理會', '不理会', '跳过', '跳過', '放弃', '放棄', '抛开', '拋開', '撇开', '不要遵守', '不再遵守', '不要遵循', '违背', '違背', '绕过', '繞過'],
      objects: ['指令', '指示', '说明', '說明', '规则', '規則', '提示', '要求', '设定', '設定', '限制', '约束', '約束', '命令', '规定', '規定'],
      positions: ['上面', '以上', '之前', '先前', '上述', '前面'],
    },
    extraction: {
      verbs: ['显示', '顯示', '输出', '輸出', '告诉我', '告訴我', '重复', '重複', '打印', '透露', '泄露', '洩露', '展示', '给我看', '給我看', '说出', '說出', '列出', '复述', '複述', '是什么', '是什麼'],
      objects: ['系统提示', '系統提示', '提示词', '提示詞', '系统指令', '系統指令', '初始指令', '原始指令', '你的指令', '你的指示', '你的规则', '你的規則', '你的提示', '上面的内容', '上面的內容', '以上内容', '系统消息', '系統消息', '系统设定', '你的设定', '初始提示'],
    },
    markers: [],
  },
  {
    code: 'ja',
    script: CJK,
    spaced: false,
    override: {
      verbs: ['無視', '忘れ', '従わな', '従うな', '破棄', '取り消', '取消', 'スキップ', '無効に'],
      objects: ['指示', '命令', 'ルール', '指令', 'プロンプト', '設定', '制約', '規則', '制限'],
      positions: ['以前の', '前の', '上記', 'これまでの', '先ほどの'],
    },
    extraction: {
      verbs: ['表示', '教えて', '見せて', '出力', '繰り返', '公開', '書き出', '開示', '何ですか', '暴露'],
      objects: ['システムプロンプト', '初期プロンプト', 'あなたの指示', '元の指示', '最初の指示', 'あなたのルール', '上記の内容', '与えられた指示', '設定された指示', 'あなたのプロンプト', '初期設定', 'システムメッセージ'],
    },
    markers: [],
  },
  {
    code: 'ko',
    negations: ['안', '못'],
    script: /[\uac00-\ud7a3]/,
    spaced: true,
    override: {
      verbs: ['무시', '잊어', '잊고', '잊으', '따르지 마', '따르지 말', '건너뛰', '무효'],
      objects: ['지시', '명령', '규칙', '지침', '프롬프트', '설정', '제한', '제약', '가이드라인'],
      positions: ['이전', '위의', '앞의', '위에', '지금까지'],
    },
    extraction: {
      verbs: ['보여', '알려', '출력', '반복', '공개', '말해', '적어', '뭐야', '무엇'],
      objects: ['시스템 프롬프트', '시스템프롬프트', '초기 프롬프트', '원래 지시', '너의 지시', '당신의 지시', '네 지시', '처음 지시', '너의 프롬프트', '당신의 프롬프트', '시스템 메시지'],
    },
    markers: [],
  },
  {
    code: 'ar',
    negations: ['لا'],
    script: /[\u0600-\u06ff]/,
    spaced: true,
    override: {
      verbs: ['تجاهل', 'وتجاهل', 'انسى', 'إنسى', 'لا تتبع', 'لا تلتزم', 'أهمل', 'اهمل', 'تخط', 'لا تطع'],
      objects: ['تعليمات', 'التعليمات', 'أوامر', 'الأوامر', 'قواعد', 'القواعد', 'توجيهات', 'التوجيهات', 'إرشادات', 'الإرشادات', 'قيود', 'القيود'],
      positions: ['السابقة', 'السابق', 'أعلاه', 'الماضية'],
    },
    extraction: {
      verbs: ['اعرض', 'واعرض', 'أظهر', 'وأظهر', 'كرر', 'وكرر', 'اكشف', 'واكشف', 'اطبع', 'واطبع', 'أخبرني', 'وأخبرني', 'ما هي', 'اكتب', 'واكتب', 'أرني', 'وأرني'],
      objects: ['تعليماتك', 'موجه النظام', 'رسالة النظام', 'التعليمات الأصلية', 'التعليمات الأولية', 'قواعدك', 'تعليمات النظام', 'التعليمات السابقة', 'النص أعلاه'],
    },
    markers: [],
  },
  {
    code: 'hi',
    negations: ['मत', 'न', 'नहीं'],
    script: /[\u0900-\u097f]/,
    spaced: true,
    override: {
      verbs: ['अनदेखा', 'नज़रअंदाज़', 'नजरअंदाज', 'भूल जाओ', 'भूल जाइए', 'भूल जाएं', 'भूलो', 'पालन मत', 'पालन न कर', 'मत मानो', 'अवहेलना'],
      objects: ['निर्देश', 'नियम', 'आदेश', 'प्रॉम्प्ट', 'प्रोम्प्ट', 'दिशानिर्देश', 'प्रतिबंध'],
      positions: ['पिछले', 'पिछली', 'पिछला', 'ऊपर', 'पहले', 'पूर्व'],
    },
    extraction: {
      verbs: ['दिखाओ', 'दिखाइए', 'दिखाएं', 'दिखाएँ', 'बताओ', 'बताइए', 'बताएं', 'दोहराओ', 'दोहराएं', 'प्रकट', 'लिखो', 'क्या हैं', 'क्या है'],
      objects: ['सिस्टम प्रॉम्प्ट', 'सिस्टम प्रोम्प्ट', 'अपने निर्देश', 'आपके निर्देश', 'तुम्हारे निर्देश', 'मूल निर्देश', 'प्रारंभिक निर्देश', 'शुरुआती निर्देश', 'सिस्टम संदेश', 'तुम्हारे नियम', 'आपके नियम'],
    },
    markers: [],
  },
  {
    code: 'tr',
    negatedForms: ['unutma', 'atlama', 'gormezden gelme'],
    spaced: true,
    override: {
      verbs: ['yok say', 'görmezden', 'unut', 'dikkate alma', 'uymayın', 'uymayin', 'göz ardı et', 'atla'],
      objects: ['talimat', 'kural', 'yönerge', 'komut', 'istem', 'kısıtlama', '~prompt'],
      positions: ['önceki', 'yukarıdaki', 'şimdiye kadar', 'evvelki'],
    },
    extraction: {
      verbs: ['göster', 'tekrarla', 'yazdır', 'söyle', 'açıkla', 'nedir', 'neler', 'paylaş', 'ifşa'],
      objects: ['sistem istem', 'sistem komut', 'talimatların', 'ilk talimat', 'orijinal talimat', 'kuralların', 'sistem mesaj', 'başlangıç talimat', 'yukarıdaki metin', 'senin talimat', 'size verilen talimat'],
    },
    markers: ['ve', 'bu', 'tüm', 'bütün', 'her', 'bana', 'şimdi', 'lütfen'],
  },
  {
    code: 'pl',
    negations: ['nie', 'nigdy'],
    spaced: true,
    override: {
      verbs: ['zignoruj', 'ignoruj', 'zapomnij', 'pomiń', 'nie zwracaj uwagi', 'nie stosuj się', 'nie przestrzegaj', 'olej', 'porzuć', 'nie słuchaj'],
      objects: ['instrukc', 'polecen', 'zasad', 'reguł', 'wytyczn', 'ograniczen', '~prompt', 'nakaz'],
      positions: ['poprzedni', 'wcześniejsz', 'powyższ', 'dotychczasow', 'wszystko co'],
    },
    extraction: {
      verbs: ['pokaż', 'wyświetl', 'powtórz', 'ujawnij', 'wypisz', 'podaj', 'jakie są', 'jaki jest', 'napisz', 'zdradź', 'wydrukuj'],
      objects: ['twoje instrukc', 'swoje instrukc', 'twój prompt', 'prompt systemow', 'systemow prompt', 'instrukc systemow', 'początkow instrukc', 'oryginaln instrukc', 'twoje zasad', 'tekst powyżej', 'wiadomość systemow'],
    },
    markers: ['wszystkie', 'wszystko', 'twoje', 'i', 'w', 'na', 'się', 'mi', 'mnie', 'to'],
  },
];
