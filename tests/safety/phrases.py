"""Danger phrases the lexicon must find, and ordinary feedback it must leave alone.

Written the way young people type: missing accents, misspellings, look-alike digits,
stretched letters, Arabic with and without short vowels, tatweel and hamza forms.
"""

from __future__ import annotations

DANGER: dict[str, dict[str, list[str]]] = {
    "en": {
        "suicide": [
            "I want to die",
            "i just wanna fkn die",
            "sometimes i think about suicide",
            "I'm going to k1ll myself tonight",
            "i feel suicidal",
            "I dont want to live anymore",
            "I want to end my life",
            "better off dead tbh",
            "thinking of sewerslide",
            "i want to unalive myself",
            "I wanna diiieee",
            "su1cide",
        ],
        "self_harm": [
            "I cut myself again last night",
            "i have been self harming",
            "sometimes I hurt myself on purpose",
            "I burn myself with a lighter",
            "I used a razorblade",
            "i keep cuting my wrists",
            "selfharm",
            "I want to hurt myself",
        ],
        "immediate_danger": [
            "I'm in danger",
            "I don't feel safe here",
            "he is going to kill me",
            "he has a knife",
            "someone is following me",
            "please call the police",
            "they found me",
            "im scared for my life",
            "SOS",
        ],
        "held_or_forced": [
            "they took my passport",
            "I can't leave the house",
            "they make me work every day for free",
            "they make me sleep with men",
            "I have to pay back the debt",
            "they wont let me leave",
            "I am locked in a room",
            "my boyfriend makes me see other men",
            "I cant escape",
            "they keep my passport",
        ],
        "abuse_now": [
            "my uncle hits me",
            "he touches me at night",
            "he raped me",
            "she beats me every day",
            "he is abusing me",
            "I'm scared of him",
            "he forced me to have sex",
            "he keeps asking me to send nudes",
            "he is hurting me",
        ],
    },
    "ro": {
        "suicide": [
            "Vreau să mor",
            "vreau sa mor",
            "VREAAAU SA MOR",
            "ma gandesc la sinucidere",
            "nu mai vreau să trăiesc",
            "o sa imi iau viata",
            "vreau sa ma sinucid",
            "mai bine as muri",
            "vr3au sa m0r",
        ],
        "self_harm": [
            "mă tai pe mâini",
            "ma tai pe maini cand sunt trista",
            "îmi fac rău singură",
            "imi fac rau",
            "m-am tăiat din nou",
            "vreau sa ma ranesc",
            "automutilare",
        ],
        "immediate_danger": [
            "sunt în pericol",
            "sunt in pericol acum",
            "nu mă simt în siguranță",
            "o să mă omoare",
            "are un cuțit",
            "ma urmareste cineva",
            "sunati la politie",
            "m-au gasit",
        ],
        "held_or_forced": [
            "mi-au luat pașaportul",
            "mi au luat pasaportul",
            "nu pot pleca de aici",
            "nu ma lasa sa plec",
            "mă obligă să muncesc",
            "ma obliga sa ma culc cu barbati",
            "trebuie să plătesc datoria",
            "iubitul meu mă obligă să stau cu alți bărbați",
            "sunt inchisa in camera",
        ],
        "abuse_now": [
            "mă bate",
            "tata ma bate in fiecare zi",
            "mă atinge noaptea",
            "m-a violat",
            "ma abuzeaza",
            "mi-e frică de el",
            "ma loveste",
            "m-au batut",
        ],
    },
    "ar": {
        "suicide": [
            "أريد أن أموت",
            "أُرِيدُ أَنْ أَمُوتَ",
            "اريد ان اموت",
            "أريـــد أن أمـــوت",
            "بدي موت",
            "أفكر في الانتحار",
            "سأنتحر",
            "بدي اقتل حالي",
            "لا أريد أن أعيش",
            "عايز اموت",
        ],
        "self_harm": [
            "أجرح نفسي",
            "أَجْرَحُ نَفْسِي",
            "اجرح نفسي كل يوم",
            "أؤذي نفسي",
            "اذيت نفسي",
            "إيذاء النفس",
            "احرق نفسي",
        ],
        "immediate_danger": [
            "أنا في خطر",
            "انا في خطر",
            "أَنَا فِي خَطَرٍ",
            "سيقتلني",
            "معه سكين",
            "لست في أمان",
            "الحقوني",
            "اتصلوا بالشرطة",
        ],
        "held_or_forced": [
            "أخذوا جوازي",
            "اخذوا جوازي",
            "أَخَذُوا جَوَازِي",
            "لا أستطيع الخروج",
            "ما بيخلوني اطلع",
            "يجبرونني على العمل",
            "يجبروني انام مع رجال",
            "علي دين لازم ادفعه",
            "باعوني",
        ],
        "abuse_now": [
            "يضربني",
            "أبي يضربني",
            "يَضْرِبُنِي",
            "وبيضربني كل يوم",
            "يلمسني",
            "يتحرش بي",
            "اغتصبني",
            "خايفة منه",
        ],
    },
}

# The drafted languages (their lexicons await native-speaker and survivor-advisory
# review): a few plain examples each, the development sets measure the rest.
DRAFTED: dict[str, dict[str, list[str]]] = {
    "de": {
        "suicide": [
            "ich will sterben",
            "ich bring mich um",
            "ich denk an selbstmord",
            "will nich mehr leben",
            "ich möchte tot sein",
        ]
    },
    "nl": {
        "suicide": [
            "ik wil dood",
            "ik wil niet meer leven",
            "ik denk aan zelfmoord",
            "ik wil er een eind aan maken",
            "ik wil sterven",
        ]
    },
    "sv": {
        "suicide": [
            "jag vill dö",
            "jag vill inte leva",
            "tänker på självmord",
            "jag ska ta livet av mig",
            "vill inte finnas",
        ]
    },
    "nb": {
        "suicide": [
            "jeg vil dø",
            "jeg vil ikke leve mer",
            "tenker på selvmord",
            "ta livet av meg",
            "orker ikke leve",
        ]
    },
    "it": {
        "suicide": [
            "voglio morire",
            "non voglio più vivere",
            "penso al suicidio",
            "voglio farla finita",
            "mi ammazzo",
        ]
    },
    "pcm": {
        "suicide": [
            "i wan kill myself",
            "i wan die",
            "i no wan live again",
            "make i just die",
            "i go drink poison",
        ]
    },
    "sw": {
        "suicide": [
            "nataka kufa",
            "nataka kujiua",
            "sitaki kuishi tena",
            "nimechoka kuishi",
            "nitajinyonga",
        ]
    },
    "so": {
        "suicide": [
            "waan is dilayaa",
            "waan dhiman rabaa",
            "waxaan rabaa inaan dhinto",
            "isdil baan rabaa",
            "nolosha ka daalay",
        ]
    },
    "sr": {
        "suicide": [
            "hoću da umrem",
            "ubiću se",
            "ne želim da živim",
            "mislim na samoubistvo",
            "bolje da sam mrtva",
        ]
    },
    "bs": {
        "suicide": [
            "hoću umrijeti",
            "ubit ću se",
            "ne želim živjeti",
            "mislim o samoubistvu",
            "bolje da sam mrtav",
        ]
    },
    "uk": {
        "suicide": [
            "я хочу померти",
            "не хочу жити",
            "думаю про суїцид",
            "khochu pomerty",
            "хочу умереть",
        ]
    },
    "fa": {
        "suicide": [
            "میخوام بمیرم",
            "خودمو میکشم",
            "به خودکشی فکر میکنم",
            "mikham bemiram",
            "نمیخوام زنده باشم",
        ]
    },
    "sq": {
        "suicide": [
            "dua te vdes",
            "do vras veten",
            "nuk dua te jetoj",
            "mendoj per vetevrasje",
            "du me vdek",
        ]
    },
    "lv": {
        "suicide": [
            "gribu nomirt",
            "negribu vairs dzīvot",
            "domāju par pašnāvību",
            "nogalināšu sevi",
            "labak butu miris",
        ]
    },
    "ti": {"suicide": ["ክሞት ደልየ", "ክሞት እደሊ", "ርእሰይ ክቐትል", "ክነብር ኣይደልን", "ርእሰ ቕትለት"]},
}
DANGER.update(DRAFTED)

# Ordinary feedback: none of these may raise an alarm.
BENIGN: list[str] = [
    "The shelter is nice and the staff are kind",
    "I liked the food",
    "The food is to die for",
    "I killed it at football today",
    "My skills got better at school",
    "I want to learn English",
    "Can you help me with my homework?",
    "The counsellor listens to me",
    "I would like more activities on the weekend",
    "The doctor was friendly",
    "My lawyer explained everything",
    "The room is too cold at night",
    "I want more time outside",
    "I can't wait to see my sister",
    "Thank you for asking",
    "Everything is ok",
    "I don't know",
    "Please make the wifi faster",
    "I want to go to school",
    "116 111",
    "The police officer was polite",
    "Legal help was useful",
    "I feel safe here",
    "Centrul de găzduire este bun",
    "Mâncarea este bună",
    "Îmi place la școală",
    "Consilierul mă ascultă",
    "Aș vrea mai multe activități",
    "Doctorul a fost drăguț",
    "Ajutorul juridic a fost util",
    "Vreau să învăț engleza",
    "Camera este prea rece",
    "Mulțumesc pentru întrebare",
    "Nu știu",
    "Mă simt în siguranță aici",
    "دار الإيواء جيدة",
    "الطعام لذيذ",
    "أحب المدرسة",
    "المرشد يستمع إلي",
    "أريد المزيد من الأنشطة",
    "الطبيب كان لطيفا",
    "شكرا لكم",
    "لا أعرف",
    "أريد أن أتعلم اللغة الإنجليزية",
    "الغرفة باردة في الليل",
]
