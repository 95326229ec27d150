import { WRITTEN_MACROS } from '../../../../../libs/contracts/src/destination-macros';

/** One line of the macro help: the macro as typed, and the i18n key of what it renders to. */
export interface MacroHelpEntry {
  /** As typed in a template, braces included: `{clickid}`, `{fields.<key>}`. */
  written: string;
  /** `destinations.macros.list.<macro>`; a keyed macro has one text for all its keys. */
  descriptionKey: string;
}

/**
 * The macros a destination may use (SPEC section 4, Outgoing postbacks), for the help next to
 * the form: the list of libs/contracts the dispatcher's renderer also uses.
 */
export const MACRO_HELP: readonly MacroHelpEntry[] = WRITTEN_MACROS.map((macro) => ({
  written: `{${macro}}`,
  descriptionKey: `destinations.macros.list.${macro.split('.')[0]}`,
}));
