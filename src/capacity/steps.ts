/**
 * Capacity steps: a price per band of the billed kW. kraftsystemet/fri-nettleie gives each band by its lower bound
 * (`terskel`, in kW, the first at 0) and says in `terskel_inkludert` which band a value exactly at a bound is in
 * (docs/llm/llms.txt at b9531c7c70bc0521fdd43104c3180a323849d645: true — "kunden havner på neste trinn" at exactly the
 * threshold; false — the customer stays on the lower step). Its prices are kr/year excluding taxes; here a price is
 * whatever the user entered, in the user's currency and period.
 */
export interface CapacityStep {
  /** The band's lower bound, kW (fri-nettleie's `terskel`). */
  readonly fromKw: number;
  readonly price: number;
}

export interface CapacitySteps {
  /** Ascending `fromKw`, the first at 0. */
  readonly steps: readonly CapacityStep[];
  /** fri-nettleie's `terskel_inkludert`: true when a value exactly at a bound belongs to the band that starts there. */
  readonly thresholdIncluded: boolean;
}

export interface StepValue {
  /** The band's lower bound, kW: the state of `capacity_step`. */
  readonly thresholdKw: number;
  /** The next band's lower bound, or null for the top band. */
  readonly upToKw: number | null;
  readonly price: number;
}

/** The band `kw` falls in. */
export function stepFor(s: CapacitySteps, kw: number): StepValue | null {
  if (s.steps.length === 0) return null;
  let i = 0;
  for (let j = 1; j < s.steps.length; j++) {
    const from = s.steps[j]!.fromKw;
    if (s.thresholdIncluded ? kw >= from : kw > from) i = j;
    else break;
  }
  const step = s.steps[i]!;
  return { thresholdKw: step.fromKw, upToKw: s.steps[i + 1]?.fromKw ?? null, price: step.price };
}

/** A company's `fastledd` as kraftsystemet/fri-nettleie's tariffer/*.yml write it (tariff.cue `#Fastledd`). */
export interface FriNettleieFastledd {
  readonly metode: string;
  readonly terskel_inkludert: boolean | null;
  readonly terskler: readonly { readonly terskel: number; readonly pris: number }[];
}

/**
 * The steps of a fri-nettleie `fastledd`, or why they cannot be used: the thresholds of `OV_TREFASE` are fuse sizes in
 * amperes, not kW, and a null `terskel_inkludert` leaves the edge unknown.
 */
export function stepsFromFriNettleie(f: FriNettleieFastledd): CapacitySteps | string {
  if (f.metode !== 'TRE_DØGNMAX_MND' && f.metode !== 'MND_MAX') return `fri-nettleie's method ${f.metode} is not a kW peak method (TRE_DØGNMAX_MND or MND_MAX): its thresholds are not kW`;
  if (f.terskel_inkludert === null) return "fri-nettleie does not know whether this company's thresholds are \"up to and including\": set it from the company's price list";
  return { thresholdIncluded: f.terskel_inkludert, steps: f.terskler.map((t) => ({ fromKw: t.terskel, price: t.pris })) };
}
