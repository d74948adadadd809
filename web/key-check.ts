// The key check: the verdict the service would give for two keys, in the page's words, once and short; "checking"
// while it runs; each key field can be shown to catch a typo in 32 pasted digits. The fields are cleared once saved.
import type { ErrorAnswer, KeyCheckAnswer, KeyCheckRequest, SaveKeysAnswer, SecurityWord } from '../src/page/contract.js';
import { isSecurityWord, securityTone } from './diagnostics.js';
import { byId, el, postJson } from './dom.js';
import { fill, t } from './i18n.js';

/** Verdicts whose keys can be saved: they decode the frames (swapped ones are saved the right way round). */
const savable: ReadonlySet<SecurityWord> = new Set(['authenticated', 'keys_swapped', 'encryption_only']);

export class KeyCheck {
  private readonly form = byId('key-form', HTMLFormElement);
  private readonly verdict = byId('verdict', HTMLElement);
  private readonly check = byId('check-keys', HTMLButtonElement);
  private readonly save = byId('save-keys', HTMLButtonElement);
  private readonly titles = byId('system-title', HTMLSelectElement);
  private canSave = false;

  constructor() {
    for (const button of this.form.querySelectorAll<HTMLButtonElement>('button.reveal')) this.reveal(button);
    this.form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.run();
    });
    this.save.addEventListener('click', () => void this.store());
  }

  /** Whether keys can be saved (inside the add-on), and the meters a check can be made for (a choice only with two or more). */
  update(canSaveKeys: boolean, systemTitles: readonly string[]): void {
    this.canSave = canSaveKeys;
    byId('title-label', HTMLElement).hidden = systemTitles.length < 2;
    const shown = [...this.titles.options].map((o) => o.value);
    if (shown.join() !== systemTitles.join()) this.titles.replaceChildren(...systemTitles.map((title) => el('option', { value: title }, title)));
  }

  /** A show/hide button for its key field: a password field until the user wants to see what was pasted. */
  private reveal(button: HTMLButtonElement): void {
    const input = byId(button.getAttribute('aria-controls') ?? '', HTMLInputElement);
    button.textContent = t.keyCheck.show;
    button.addEventListener('click', () => {
      const hidden = input.type === 'password';
      input.type = hidden ? 'text' : 'password';
      button.textContent = hidden ? t.keyCheck.hide : t.keyCheck.show;
    });
  }

  private request(): KeyCheckRequest {
    const data = new FormData(this.form);
    const text = (name: string): string | undefined => {
      const v = data.get(name);
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    return { encryption_key: text('encryption_key'), authentication_key: text('authentication_key'), system_title: text('system_title') };
  }

  private say(word: string, tone: string, ...text: string[]): void {
    this.verdict.removeAttribute('aria-busy');
    this.verdict.replaceChildren(el('strong', { class: tone, 'data-verdict': word }, word === 'error' ? t.keyCheck.error : isSecurityWord(word) ? t.security[word].word : word), ' ', text.join(' '));
  }

  private busy(text: string): void {
    this.save.hidden = true;
    this.check.disabled = true;
    this.save.disabled = true;
    this.verdict.setAttribute('aria-busy', 'true');
    this.verdict.replaceChildren(el('span', { class: 'checking', 'data-verdict': 'checking' }, text));
  }

  private done(): void {
    this.check.disabled = false;
    this.save.disabled = false;
  }

  private async run(): Promise<void> {
    this.busy(t.keyCheck.checking);
    try {
      const { status, answer } = await postJson<KeyCheckAnswer | ErrorAnswer>('api/key-check', this.request());
      if (!('verdict' in answer) || !isSecurityWord(answer.verdict)) return this.say('error', 'bad', 'error' in answer ? answer.error : `HTTP ${status}`);
      this.say(answer.verdict, securityTone(answer.verdict), t.security[answer.verdict].trial, fill(t.keyCheck.tried, { frames: answer.frames }));
      this.save.hidden = !(this.canSave && savable.has(answer.verdict));
    } catch (error) {
      this.say('error', 'bad', error instanceof Error ? error.message : String(error));
    } finally {
      this.done();
    }
  }

  private async store(): Promise<void> {
    this.busy(t.keyCheck.saving);
    try {
      const { answer } = await postJson<SaveKeysAnswer | ErrorAnswer>('api/save-keys', this.request());
      if ('saved' in answer && answer.saved) {
        this.verdict.replaceChildren(el('strong', { class: 'good', 'data-verdict': 'saved' }, t.keyCheck.saved), ' ', t.keyCheck.savedText);
        this.form.reset();
      } else {
        const why = 'verdict' in answer && isSecurityWord(answer.verdict) ? t.security[answer.verdict].trial : 'error' in answer ? answer.error : answer.message;
        this.verdict.replaceChildren(el('strong', { class: 'bad', 'data-verdict': 'not saved' }, t.keyCheck.notSaved), ' ', why);
      }
      this.verdict.removeAttribute('aria-busy');
    } catch (error) {
      this.say('error', 'bad', error instanceof Error ? error.message : String(error));
    } finally {
      this.done();
    }
  }
}
