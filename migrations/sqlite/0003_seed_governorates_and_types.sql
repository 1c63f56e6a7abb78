-- The 18 governorates from shared/iraq-governorates.csv (OCHA COD-AB P-code,
-- ISO 3166-2, names in English, Arabic and Sorani), and default activity types.
-- Arabic and Sorani activity labels want review by native speakers.
INSERT INTO areas (level, parent_id, pcode, iso_code, name_en, name_ar, name_ckb, region) VALUES
    (1, NULL, 'IQG01', 'IQ-AN', 'Anbar', 'الأنبار', 'ئەنبار', NULL),
    (1, NULL, 'IQG02', 'IQ-BA', 'Basrah', 'البصرة', 'بەسرە', NULL),
    (1, NULL, 'IQG03', 'IQ-MU', 'Muthanna', 'المثنى', 'موسەننا', NULL),
    (1, NULL, 'IQG04', 'IQ-NA', 'Najaf', 'النجف', 'نەجەف', NULL),
    (1, NULL, 'IQG05', 'IQ-QA', 'Qadisiyah', 'القادسية', 'قادسیە', NULL),
    (1, NULL, 'IQG06', 'IQ-SU', 'Sulaymaniyah', 'السليمانية', 'سلێمانی', 'Kurdistan Region'),
    (1, NULL, 'IQG07', 'IQ-BB', 'Babil', 'بابل', 'بابل', NULL),
    (1, NULL, 'IQG08', 'IQ-BG', 'Baghdad', 'بغداد', 'بەغدا', NULL),
    (1, NULL, 'IQG09', 'IQ-DA', 'Duhok', 'دهوك', 'دهۆک', 'Kurdistan Region'),
    (1, NULL, 'IQG10', 'IQ-DI', 'Diyala', 'ديالى', 'دیالە', NULL),
    (1, NULL, 'IQG11', 'IQ-AR', 'Erbil', 'أربيل', 'هەولێر', 'Kurdistan Region'),
    (1, NULL, 'IQG12', 'IQ-KA', 'Karbala', 'كربلاء', 'کەربەلا', NULL),
    (1, NULL, 'IQG13', 'IQ-KI', 'Kirkuk', 'كركوك', 'کەرکووک', NULL),
    (1, NULL, 'IQG14', 'IQ-MA', 'Maysan', 'ميسان', 'مەیسان', NULL),
    (1, NULL, 'IQG15', 'IQ-NI', 'Ninawa', 'نينوى', 'نەینەوا', NULL),
    (1, NULL, 'IQG16', 'IQ-SD', 'Salah ad Din', 'صلاح الدين', 'سەلاحەددین', NULL),
    (1, NULL, 'IQG17', 'IQ-DQ', 'Dhi Qar', 'ذي قار', 'زیقار', NULL),
    (1, NULL, 'IQG18', 'IQ-WA', 'Wasit', 'واسط', 'واست', NULL);

INSERT INTO activity_types (kind, code, label_en, label_ar, label_ckb, cycle_sessions) VALUES
    ('group_session', 'PSS', 'PSS group', 'مجموعة الدعم النفسي الاجتماعي', 'گرووپی پاڵپشتیی دەروونی-کۆمەڵایەتی', 8),
    ('group_session', 'S4D', 'Sport for development', 'الرياضة من أجل التنمية', 'وەرزش بۆ گەشەپێدان', 8),
    ('group_session', 'LIT', 'Literacy class', 'صف محو الأمية', 'پۆلی خوێندەواری', 12),
    ('group_session', 'VOC', 'Vocational class', 'دورة تدريب مهني', 'خولی ڕاهێنانی پیشەیی', 12),
    ('group_session', 'PEER', 'Peer-counselling training', 'تدريب الإرشاد بين الأقران', 'ڕاهێنانی ڕاوێژکاریی هاوتایان', 6),
    ('awareness_event', 'AW-GBV', 'GBV prevention', 'الوقاية من العنف القائم على النوع الاجتماعي', 'ڕێگری لە توندوتیژیی ڕەگەزی', NULL),
    ('awareness_event', 'AW-COVID', 'COVID-19', 'كوفيد-19', 'کۆڤید-١٩', NULL),
    ('awareness_event', 'AW-MHPSS', 'MHPSS and stigma', 'الصحة النفسية والدعم النفسي الاجتماعي والوصمة', 'تەندروستیی دەروونی و پاڵپشتی و پەڵەی کۆمەڵایەتی', NULL),
    ('awareness_event', 'AW-CP', 'Child protection', 'حماية الطفل', 'پاراستنی منداڵ', NULL),
    ('awareness_event', 'AW-GEN', 'Gender equality', 'المساواة بين الجنسين', 'یەکسانیی ڕەگەزی', NULL),
    ('awareness_event', 'AW-REF', 'Services and referral pathways', 'الخدمات ومسارات الإحالة', 'خزمەتگوزارییەکان و ڕێڕەوەکانی ڕەوانەکردن', NULL),
    ('cfs_day', 'CFS', 'CFS day', 'يوم المساحة الصديقة للطفل', 'ڕۆژی شوێنی دۆستی منداڵ', NULL);
