/**
 * The grid companies (charge owners) whose consumption tariff PowerMeter can look up in Energi Data Service's
 * `DatahubPricelist`, as data: the option `grid_company` takes an `id` of this table.
 *
 * Source of every row: MTrab/energidataservice `custom_components/energidataservice/tariffs/energidataservice/
 * chargeowners.py` at commit 8584122ef56681acdf372afa49cffe4ac0c1fa2a (2026-08-08), the Home Assistant integration
 * Danish users run for this; every row there uses ChargeType D03 (tariff). Cross-checked against openHAB's binding
 * (openhab/openhab-addons `bundles/org.openhab.binding.energidataservice/src/main/resources/filters/grid_tariffs.yaml`
 * at commit 48a9348b3b74d05a2b6205caadde6c13de991ae1): `crossCheck` says where the two agree and, where not, which
 * codes openHAB still has; MTrab's history dates its changes (e.g. Konstant's codes changed on 2026-04-07, commit
 * 7d57a8c), so MTrab's newer codes are kept. A company whose codes change again shows up as "no tariff records" in
 * the log (the fetcher says so once), not as a wrong price.
 *
 * Several codes for one company are summed: the second is a discount ("R"/"Rabat") whose price is negative or 0
 * (N1's `CD R` cancels `CD` exactly in December 2022 in openHAB's recorded answer `DatahubPricelistN1.json`).
 */
export interface ChargeOwner {
  /** The option value, stable: never rename one. */
  readonly id: string;
  /** The company's name as DatahubPricelist's `ChargeOwner` writes it (MTrab's `company`). */
  readonly name: string;
  /** Global Location Number: `GLN_Number` in DatahubPricelist. */
  readonly gln: string;
  /** The consumption tariff's `ChargeTypeCode`s (all of them apply at once: a tariff and its discount). */
  readonly chargeTypeCodes: readonly string[];
  /** `ChargeType` D03 = tariff (D01 subscription and D02 fee are not per kWh). */
  readonly chargeType: 'D03';
  /** Where the row comes from. */
  readonly provenance: string;
  /** What openHAB's table says of the same company. */
  readonly crossCheck: string;
}

const MTRAB = 'MTrab/energidataservice chargeowners.py @ 8584122';
const agrees = 'openHAB grid_tariffs.yaml @ 48a9348 agrees';
const differs = (openHab: string, why: string): string => `openHAB grid_tariffs.yaml @ 48a9348 has ${openHab}; ${why}`;

const owner = (id: string, name: string, gln: string, codes: readonly string[], crossCheck: string): ChargeOwner => ({
  id,
  name,
  gln,
  chargeTypeCodes: codes,
  chargeType: 'D03',
  provenance: MTRAB,
  crossCheck,
});

export const chargeOwners: readonly ChargeOwner[] = [
  owner('radius', 'Radius Elnet A/S', '5790000705689', ['DT_C_01'], agrees),
  owner('cerius', 'Cerius A/S', '5790000705184', ['30TR_C_ET'], agrees),
  owner('n1', 'N1 A/S - 131', '5790001089030', ['CD', 'CD R'], agrees),
  owner('trefor_el_net', 'TREFOR El-net A/S', '5790000392261', ['C'], agrees),
  owner('trefor_el_net_ost', 'TREFOR El-net Øst A/S', '5790000706686', ['46'], agrees),
  owner('rah_net', 'RAH Net A/S', '5790000681327', ['RAH-C'], agrees),
  owner('konstant', 'Konstant Net A/S - 151', '5790000704842', ['C_FBTNTR_B', 'C_FBTNTR_R'], differs('151-NT01T, 151-NRA04T', 'MTrab changed to these on 2026-04-07 (7d57a8c)')),
  owner('dinel', 'Dinel A/S', '5790000610099', ['TCL>100_02', 'TCL<100_52'], agrees),
  owner('elektrus', 'Elektrus A/S', '5790000836239', ['6000091'], agrees),
  owner('elnet_midt', 'Elnet Midt A/S', '5790001100520', ['T3001'], agrees),
  owner('hurup_elvaerk_net', 'Hurup Elværk Net A/S', '5790000610839', ['HEV-NT-01T'], differs('HEV-NT-01', 'MTrab changed on 2026-02-23 (becc49c)')),
  owner('veksel', 'Veksel A/S', '5790001088217', ['NT-10'], agrees),
  owner('vores_elnet', 'Vores Elnet A/S', '5790000610976', ['TNT1009'], agrees),
  owner('netselskabet_elvaerk', 'Netselskabet Elværk A/S - 331', '5790000681358', ['5NCFF'], agrees),
  owner('nord_energi_net', 'Nord Energi Net A/S', '5790000610877', ['TAC'], agrees),
  owner('noe_net', 'NOE Net A/S', '5790000395620', ['30030'], agrees),
  owner('ikast_el_net', 'Ikast El Net A/S', '5790000682102', ['IEV-NT-01'], agrees),
  owner('flow_elnet', 'FLOW Elnet A/S', '5790000392551', ['FE1 NT-01'], differs('FE2 NT-01', 'MTrab changed to FE1 on 2025-02-18 (c8eb817)')),
  owner('elinord', 'Elinord A/S', '5790001095277', ['43300'], agrees),
  owner('hammel_elforsyning_net', 'Hammel Elforsyning Net A/S', '5790001090166', ['C-Tarif'], differs('50001', "MTrab changed from '50001' on 2026-02-23 (dd77380)")),
  owner('el_net_kongerslev', 'El-net Kongerslev A/S', '5790002502699', ['C-Tarif'], differs('K_22100', 'MTrab changed to C-Tarif on 2023-06-19 (d828ed6)')),
  owner('ravdex', 'Ravdex A/S', '5790000836727', ['NT-C'], agrees),
  owner('tarm_elvaerk_net', 'Tarm Elværk Net A/S', '5790000706419', ['TEV-NT-01T', 'TEV-NT-01R'], differs('TEV-NT-01, TEV-NT-01R', 'MTrab changed on 2026-02-24 (d0d0dda)')),
  owner('zeanet', 'Zeanet A/S', '5790001089375', ['43110'], agrees),
  owner('l_net', 'L-Net A/S', '5790001090111', ['3000'], differs('4010', 'MTrab changed on 2025-04-06 (5e0e18e, "L-Net new tariff")')),
  owner('midtfyns_elforsyning', 'Midtfyns Elforsyning A.m.b.A', '5790001089023', ['TNT15000'], agrees),
  owner('sunds_net', 'Sunds Net A.m.b.A', '5790001095444', ['SEF-NT-05', 'SEF-NT-05R'], agrees),
  owner('aal_el_net', 'Aal El-Net A.m.b.A', '5790001095451', ['AAL-NT-05', 'AAL-NTR05'], agrees),
  owner('forsyning_elnet', 'Forsyning Elnet A/S', '5790001088309', ['STR-NT-03'], 'not in openHAB; MTrab added it on 2025-04-06 (e084674)'),
];

/**
 * Energinet (the TSO) bills its own charges through the same dataset under its own GLN, told apart by `Note`
 * (MTrab `async_get_system_tariffs`; openHAB `DatahubTariffFilterFactory`; openHAB's recorded answers
 * `DatahubPricelistElectricityTax.json`: ChargeOwner "Energinet Systemansvar A/S (SYO)", ChargeTypeCode EA-001 for
 * Elafgift). Elafgift is the state's electricity tax, collected through the same list; its rate is read from the data,
 * never written here (0.8 øre/kWh excl. VAT in 2026–2027 by law L 24 of 2025, then back to the indexed 2015 level).
 */
export const energinet = {
  gln: '5790000432752',
  chargeType: 'D03',
  notes: { systemTariff: 'Systemtarif', transmissionTariff: 'Transmissions nettarif', electricityTax: 'Elafgift' },
  provenance: 'MTrab/energidataservice tariffs/energidataservice/__init__.py @ 8584122 (async_get_system_tariffs); openHAB recorded answers',
} as const;

export const chargeOwnerIds: readonly string[] = chargeOwners.map((o) => o.id);

export function chargeOwnerById(id: string): ChargeOwner | null {
  return chargeOwners.find((o) => o.id === id) ?? null;
}
