import { Controller, Get, HttpStatus, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@app/auth';
import { DOCS_PATH } from '../api-paths';

/** `/` shows the API's documentation until there is a page of our own to show there. */
@ApiExcludeController()
@Public()
@Controller()
export class HomeController {
  @Get()
  @Redirect(`/${DOCS_PATH}`, HttpStatus.FOUND)
  home(): void {}
}
