/**
 * Refget sequence accessions (`SQ.` + sha512t24u of the sequence) of the GRCh37 and GRCh38
 * primary chromosomes, by afb's canonical contig name: the `sequenceReference` of a VRS 2.0
 * location, and so part of every `ga4gh:VA.` id afb computes (domain/vrs.ts).
 *
 * Source: GenomicMedLab/agct `src/agct/seqref_registry.py` (REFGET_ID_INFO; MIT, Wagner Lab, the
 * VRS maintainers' lab) at commit bee14d88d933115de3a4a9229e86c6ce738921ef, copied unchanged.
 * Cross-checked against GA4GH's own published values where they give one (test/unit/domain/vrs.test.ts):
 * ga4gh/vrs validation/models.yaml (GRCh38 1, 7, 19; GRCh37 1, 2) and the seqrepo metadata that
 * vrs-python's test cassettes record (GRCh38 19). MT is not in the source, so MT variants get no VRS id.
 */
export const REFGET_ACCESSIONS: { readonly GRCh37: Readonly<Record<string, string>>; readonly GRCh38: Readonly<Record<string, string>> } = {
  GRCh37: {
    '1': 'SQ.S_KjnFVz-FE7M0W6yoaUDgYxLPc1jyWU',
    '2': 'SQ.9KdcA9ZpY1Cpvxvg8bMSLYDUpsX6GDLO',
    '3': 'SQ.VNBualIltAyi2AI_uXcKU7M9XUOuA7MS',
    '4': 'SQ.iy7Zfceb5_VGtTQzJ-v5JpPbpeifHD_V',
    '5': 'SQ.vbjOdMfHJvTjK_nqvFvpaSKhZillW0SX',
    '6': 'SQ.KqaUhJMW3CDjhoVtBetdEKT1n6hM-7Ek',
    '7': 'SQ.IW78mgV5Cqf6M24hy52hPjyyo5tCCd86',
    '8': 'SQ.tTm7wmhz0G4lpt8wPspcNkAD_qiminj6',
    '9': 'SQ.HBckYGQ4wYG9APHLpjoQ9UUe9v7NxExt',
    '10': 'SQ.-BOZ8Esn8J88qDwNiSEwUr5425UXdiGX',
    '11': 'SQ.XXi2_O1ly-CCOi3HP5TypAw7LtC6niFG',
    '12': 'SQ.105bBysLoDFQHhajooTAUyUkNiZ8LJEH',
    '13': 'SQ.Ewb9qlgTqN6e_XQiRVYpoUfZJHXeiUfH',
    '14': 'SQ.5Ji6FGEKfejK1U6BMScqrdKJK8GqmIGf',
    '15': 'SQ.zIMZb3Ft7RdWa5XYq0PxIlezLY2ccCgt',
    '16': 'SQ.W6wLoIFOn4G7cjopxPxYNk2lcEqhLQFb',
    '17': 'SQ.AjWXsI7AkTK35XW9pgd3UbjpC3MAevlz',
    '18': 'SQ.BTj4BDaaHYoPhD3oY2GdwC_l0uqZ92UD',
    '19': 'SQ.ItRDD47aMoioDCNW_occY5fWKZBKlxCX',
    '20': 'SQ.iy_UbUrvECxFRX5LPTH_KPojdlT7BKsf',
    '21': 'SQ.LpTaNW-hwuY_yARP0rtarCnpCQLkgVCg',
    '22': 'SQ.XOgHwwR3Upfp5sZYk6ZKzvV25a4RBVu8',
    'X': 'SQ.v7noePfnNpK8ghYXEqZ9NukMXW7YeNsm',
    'Y': 'SQ.BT7QyW5iXaX_1PSX-msSGYsqRdMKqkj-',
  },
  GRCh38: {
    '1': 'SQ.Ya6Rs7DHhDeg7YaOSg1EoNi3U_nQ9SvO',
    '2': 'SQ.pnAqCRBrTsUoBghSD1yp_jXWSmlbdh4g',
    '3': 'SQ.Zu7h9AggXxhTaGVsy7h_EZSChSZGcmgX',
    '4': 'SQ.HxuclGHh0XCDuF8x6yQrpHUBL7ZntAHc',
    '5': 'SQ.aUiQCzCPZ2d0csHbMSbh2NzInhonSXwI',
    '6': 'SQ.0iKlIQk2oZLoeOG9P1riRU6hvL5Ux8TV',
    '7': 'SQ.F-LrLMe1SRpfUZHkQmvkVKFEGaoDeHul',
    '8': 'SQ.209Z7zJ-mFypBEWLk4rNC6S_OxY5p7bs',
    '9': 'SQ.KEO-4XBcm1cxeo_DIQ8_ofqGUkp4iZhI',
    '10': 'SQ.ss8r_wB0-b9r44TQTMmVTI92884QvBiB',
    '11': 'SQ.2NkFm8HK88MqeNkCgj78KidCAXgnsfV1',
    '12': 'SQ.6wlJpONE3oNb4D69ULmEXhqyDZ4vwNfl',
    '13': 'SQ._0wi-qoDrvram155UmcSC-zA5ZK4fpLT',
    '14': 'SQ.eK4D2MosgK_ivBkgi6FVPg5UXs1bYESm',
    '15': 'SQ.AsXvWL1-2i5U_buw6_niVIxD6zTbAuS6',
    '16': 'SQ.yC_0RBj3fgBlvgyAuycbzdubtLxq-rE0',
    '17': 'SQ.dLZ15tNO1Ur0IcGjwc3Sdi_0A6Yf4zm7',
    '18': 'SQ.vWwFhJ5lQDMhh-czg06YtlWqu0lvFAZV',
    '19': 'SQ.IIB53T8CNeJJdUqzn9V_JnRtQadwWCbl',
    '20': 'SQ.-A1QmD_MatoqxvgVxBLZTONHz9-c7nQo',
    '21': 'SQ.5ZUqxCmDDgN4xTRbaSjN8LwgZironmB8',
    '22': 'SQ.7B7SHsmchAR0dFcDCuSFjJAo7tX87krQ',
    'X': 'SQ.w0WZEvgJF0zf_P4yyTzjjv9oW1z61HHP',
    'Y': 'SQ.8_liLu1aycC0tPQPFmUaGXJLDs5SbPZ5',
  },
};
