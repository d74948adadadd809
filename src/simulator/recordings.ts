/**
 * Real frames recorded from real meters, replayed by the demo. Each is also in test/fixtures/public-vectors.json
 * with its full provenance.
 */
export interface Recording {
  readonly name: string;
  readonly source: string;
  readonly hex: string;
  /** Enciphered with `demoKeys`: the demo plays it on its keyed port; a frame in clear goes to its port without keys. */
  readonly encrypted: boolean;
}

/** The keys the grid company Radius published with its example frame; the demo meter uses them too. */
export const demoKeys = {
  encryption: '5AD84121D9D20B364B7A11F3C1B5827F',
  authentication: 'AFB3F93E3E7204EDB3C27F96DBD51AE0',
};

export const recordings: readonly Recording[] = [
  {
    name: 'Kamstrup OMNIPOWER, Denmark (Radius), DLMS push 1, AES-GCM',
    source: 'Asbjoern/Kamstrup-Radius-Interface kamstrup-radius-mqtt/kamstrup-radius-mqtt.ino @1432b42',
    encrypted: true,
    hex:
      '7EA1E9410313C637E6E700DB084B414D4501A4DC528201D030000788E1A039B2D14C712DD4D8C8440D5368E433BD70B73681E9A9EFFE38F175A37DE9CDE64E8F780D8F18B43FC059D87902F3D747B814BCD06A4700687801BD5D06612054507D44E76698CC3E35CC9DE62C284C0DEEA635B9BFC56CE1FE5A3A1E5E270B0C181ACF02151FCC592134D04F0292B5A35338D7B781BB1F2A7E4071815CEED5D4BAC6EFAAAFF979EF969D0DB46F51E5E0FC00F5AD105FBEF95FC5F885460B5632554AC05D9EB4F65FF223972A47CFD434B5F5E2D853EA4C14727586F0E21C6EE125268CB4DC7EC5B10F8483C010C8E688DF86584D7C29D81731A4E0969141B6ADD942E40A96E3E2DC2F9020BF9D5802A18DC985BB5422F470C0629D22DB6F16B6647DB3C9F727C170C2DB4C9A230F828346E86F56D347B62BFE28A507AE2A219ACC63AD5EE06ECB949DC4FDC2D2F808027A4A4C677C93C4C8909D7336D8B8B3791836C5555E74E25482A44A5F6D358DCE8450478F8B2C5D5666C2CF8BD190D4874E707F5D4BCDE94E91355A8139C3E41CD5F08899B65EE9B59FC60372E4F92BC99826B8C147F2095FB38A891409AA81E227076C21CB7CAF73B3E8A4E256C70D9547A914F39C169376BF922B08064EC4FB31D44ECD721D1A151E4E684F0B2685C4B69D96F5FB52D0B8127936247E',
  },
  {
    name: 'Kamstrup OMNIPOWER, Denmark, HAN-NVE list 1 in clear',
    source: 'UtilitechAS/amsreader-firmware test/payloads/kamstrup/gh741-1.hex @a88a0be (issue 741)',
    encrypted: false,
    hex: '7EA0E22B2113239AE6E7000F000000000C07E80301050C2514FF80000002190A0E4B616D73747275705F563030303109060101000005FF0A103537303635363732383232393934373509060101600101FF0A1236383431313338424E31343331303130313009060101010700FF060000001509060101020700FF060000000009060101030700FF060000000009060101040700FF06000000BF090601011F0700FF060000004F09060101330700FF060000003009060101470700FF060000007B09060101200700FF1200E209060101340700FF1200DD09060101480700FF1200E2BD2B7E',
  },
];

/**
 * A real P1 telegram, replayed by the demo's P1 source before its simulated DSMR 5 meter: a Dutch DSMR 5.0 meter (Iskra,
 * `ISk5`) with a gas meter on M-Bus channel 1, the example telegram of ndokter/dsmr_parser (MIT)
 * test/example_telegrams.py `TELEGRAM_V5` at fa20ee45a3103b8262b153e7b0037047abfaa6c7, whose values its
 * test/test_parse_v5.py asserts; also test/fixtures/p1/telegrams.json `ndokter-v5`. Its lines, as the port sends them.
 */
export const p1Recording = {
  name: 'DSMR 5.0 (Iskra), the Netherlands, with a gas meter, P1 telegram in clear',
  source: 'ndokter/dsmr_parser test/example_telegrams.py TELEGRAM_V5 @fa20ee4 (MIT)',
  text: [
    '/ISk5\\2MT382-1000',
    '',
    '1-3:0.2.8(50)',
    '0-0:1.0.0(170102192002W)',
    '0-0:96.1.1(4B384547303034303436333935353037)',
    '1-0:1.8.1(000004.426*kWh)',
    '1-0:1.8.2(000002.399*kWh)',
    '1-0:2.8.1(000002.444*kWh)',
    '1-0:2.8.2(000000.000*kWh)',
    '0-0:96.14.0(0002)',
    '1-0:1.7.0(00.244*kW)',
    '1-0:2.7.0(00.000*kW)',
    '0-0:96.7.21(00013)',
    '0-0:96.7.9(00000)',
    '1-0:99.97.0(0)(0-0:96.7.19)',
    '1-0:32.32.0(00000)',
    '1-0:52.32.0(00000)',
    '1-0:72.32.0(00000)',
    '1-0:32.36.0(00000)',
    '1-0:52.36.0(00000)',
    '1-0:72.36.0(00000)',
    '0-0:96.13.0()',
    '1-0:32.7.0(0230.0*V)',
    '1-0:52.7.0(0230.0*V)',
    '1-0:72.7.0(0229.0*V)',
    '1-0:31.7.0(0.48*A)',
    '1-0:51.7.0(0.44*A)',
    '1-0:71.7.0(0.86*A)',
    '1-0:21.7.0(00.070*kW)',
    '1-0:41.7.0(00.032*kW)',
    '1-0:61.7.0(00.142*kW)',
    '1-0:22.7.0(00.000*kW)',
    '1-0:42.7.0(00.000*kW)',
    '1-0:62.7.0(00.000*kW)',
    '0-1:24.1.0(003)',
    '0-1:96.1.0(3232323241424344313233343536373839)',
    '0-1:24.2.1(170102161005W)(00000.107*m3)',
    '0-2:24.1.0(003)',
    '0-2:96.1.0()',
    '!6EEE',
    '',
  ].join('\r\n'),
} as const;
