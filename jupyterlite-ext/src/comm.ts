/**
 * Comm lifetime: the `liveimport` comm target of one kernel connection, and
 * the comm the kernel opens on it when LiveImport loads (the bootstrap opens
 * a new one each time; a restart or a close ends it).
 *
 * Follows the pattern of ipywidgets' `WidgetManager` (jupyterlab_widgets
 * `manager.ts`): the target is registered on a kernel connection for as long
 * as the connection is the notebook's (the manager disposes this object on
 * `kernelChanged` and when the connection is disposed), and removed then.
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';

import {
  COMM_TARGET,
  FrontendMessage,
  KernelToFrontendMessage,
  parseKernelMessage
} from './protocol.js';

/** What a {@link LiveImportComm} calls. */
export interface ICommHandlers {
  /**
   * The kernel opened the comm (LiveImport is loaded): send what the kernel
   * must hear first. {@link LiveImportComm.ready} turns true once this
   * returns.
   */
  opened(): void;
  /** A message from the kernel (the comm's open data first), checked. */
  message(message: KernelToFrontendMessage): void;
  /** The kernel closed the comm. */
  closed(): void;
  /** A message was sent to the kernel (see `InFlight.messageSent`). */
  sent(message: FrontendMessage): void;
}

/** The `liveimport` comm of one kernel connection. */
export class LiveImportComm {
  /**
   * Registers the comm target on `kernel` at once (the kernel opens the
   * comm during the bootstrap).
   */
  constructor(
    private readonly kernel: Kernel.IKernelConnection,
    private readonly handlers: ICommHandlers
  ) {
    kernel.registerCommTarget(COMM_TARGET, this._onOpen);
  }

  /** Whether a comm is open. */
  get isOpen(): boolean {
    return this._comm !== null;
  }

  /** Whether a comm is open and `opened` has sent its first messages. */
  get ready(): boolean {
    return this._comm !== null && this._ready;
  }

  /**
   * Send a message to the kernel.
   *
   * @throws Error when no comm is open, or the comm cannot send.
   */
  send(message: FrontendMessage): void {
    const comm = this._comm;
    if (!comm) {
      throw new Error('LiveImport is not loaded in this kernel');
    }
    comm.send(message);
    this.handlers.sent(message);
  }

  /**
   * Send a message to the kernel if a comm is open; a failure to send is
   * logged (the kernel is going away).
   */
  post(message: FrontendMessage): void {
    if (!this._comm) {
      return;
    }
    try {
      this.send(message);
    } catch (reason) {
      console.warn('LiveImport: cannot send to the kernel', reason);
    }
  }

  /** Forget the comm (the kernel restarted: its end is gone). */
  reset(): void {
    this._comm = null;
    this._ready = false;
  }

  /** Remove the comm target and forget the comm. */
  dispose(): void {
    try {
      this.kernel.removeCommTarget(COMM_TARGET, this._onOpen);
    } catch {
      // the kernel connection may already be disposed
    }
    this.reset();
  }

  private onOpen(comm: Kernel.IComm, msg: KernelMessage.ICommOpenMsg): void {
    this._comm?.dispose();
    this._comm = comm;
    this._ready = false;
    comm.onMsg = m => this.receive(m.content.data);
    comm.onClose = () => {
      if (this._comm === comm) {
        this.reset();
        this.handlers.closed();
      }
    };
    this.handlers.opened();
    this._ready = true;
    this.receive(msg.content.data);
  }

  private receive(data: unknown): void {
    const message = parseKernelMessage(data);
    if (message) {
      this.handlers.message(message);
    }
  }

  private _onOpen = (comm: Kernel.IComm, msg: KernelMessage.ICommOpenMsg) =>
    this.onOpen(comm, msg);
  private _comm: Kernel.IComm | null = null;
  private _ready = false;
}
