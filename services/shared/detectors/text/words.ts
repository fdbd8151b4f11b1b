/**
 * English function words. Natural English prose is roughly a third function words ("the",
 * "to", "you"...); rot13 text, random suffixes and encoded blobs have almost none. Used to tell
 * rot13 lines and adversarial suffixes from prose without a dictionary.
 */

/** The most frequent English function words (lowercase). */
export const FUNCTION_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but if then else of to in on at by for with from into onto about as than so ' +
    'is are was were be been being am do does did done have has had having will would shall should can could may might must ' +
    'i me my mine we us our you your yours he him his she her it its they them their this that these those ' +
    'what which who whom whose when where why how all any each every some no not nor only own same such too very ' +
    'just also now here there up down out over under again further once more most other both few because while until ' +
    'please yes ok'
  ).split(' '),
);
