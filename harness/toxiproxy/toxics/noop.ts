import { passThrough, type Toxic, type ToxicStage, type ToxicType } from "./toxic.ts";

/** noop: passes data unchanged (Toxiproxy's hidden pass-through type, creatable through the API). */
class NoopToxic implements Toxic {
  pipe(stage: ToxicStage): Promise<void> {
    return passThrough(stage);
  }
}

export const noop: ToxicType = {
  attributes: [],
  validate: () => [],
  create: () => new NoopToxic(),
};
