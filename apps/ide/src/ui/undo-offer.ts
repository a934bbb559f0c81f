/**
 * The one Undo on offer, as a button in the status bar: a new offer replaces the previous one, a
 * click runs it once, and `until` ends it when something else happens first (the workspace changed
 * again, so undoing would drop that change too).
 */
import { el } from './dom.js';

interface Offer {
  button: HTMLElement;
  /** Stop the listeners that would end the offer. */
  stops: (() => void)[];
  /** Frees what the undo would have needed, when the offer ends unused. */
  dispose: (() => void) | undefined;
}

export class UndoOffer {
  #offer: Offer | undefined;

  /** `host` holds the button; `run` runs the undo (the app's `run`: errors go to the status bar). */
  constructor(
    readonly host: HTMLElement,
    readonly run: (fn: () => Promise<void>) => Promise<void>,
  ) {}

  /** Offers `undo` under `label`; `dispose` runs if the offer ends unused. */
  offer(label: string, undo: () => Promise<void>, dispose?: () => void): void {
    this.drop();
    const button = el('button', { type: 'button', class: 'small', 'data-testid': 'undo' }, label);
    const offer: Offer = { button, stops: [], dispose };
    button.addEventListener(
      'click',
      () =>
        void this.run(async () => {
          if (this.#offer !== offer) return;
          this.#end(offer);
          await undo();
        }),
    );
    this.#offer = offer;
    this.host.append(button);
  }

  /**
   * Ends the current offer, unused, when `target` fires `type` (the worker client's `change`). The
   * undo's own events come after the offer ended, so they end nothing.
   */
  until(target: EventTarget, type: string): void {
    const offer = this.#offer;
    if (!offer) return;
    const end = (): void => {
      if (this.#offer === offer) this.drop();
    };
    target.addEventListener(type, end);
    offer.stops.push(() => target.removeEventListener(type, end));
  }

  /** Ends the current offer, unused. */
  drop(): void {
    const offer = this.#offer;
    if (!offer) return;
    this.#end(offer);
    offer.dispose?.();
  }

  #end(offer: Offer): void {
    if (this.#offer === offer) this.#offer = undefined;
    offer.button.remove();
    for (const stop of offer.stops.splice(0)) stop();
  }
}
